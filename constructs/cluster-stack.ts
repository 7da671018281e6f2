import { ApiObject, Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import type { BundleModel, ModelOptions } from './bundle-model.ts';
import type { ClusterAddon } from './cluster-addon.ts';
import { addonStagesDocument, type AddonHook, type AddonStageEntry, type AddonStages } from './cluster-addon-config.ts';
import type { ClusterClass } from './cluster-class.ts';
import { assertSupportedMinor, type KubernetesVersion } from './kubernetes-version.ts';
import { metadataDocument, type ClusterStackVersions } from './metadata.ts';
import { helmChartProxies } from './helm-chart-proxy.ts';
import { manifestOf, withManifestSnapshot } from './manifest-snapshot.ts';
import { assertNamePart, clusterClassName, clusterStackName, releaseTag, templateName, type ClusterStackIdentity } from './names.ts';
import { NodeImageBuildFiles, type NodeImageBuild, type NodeImageRelease } from './node-image/node-image-build.ts';

export interface ClusterStackProps {
  /** Infrastructure provider, e.g. `openstack`; no '-'. */
  readonly provider: string;
  /** Stack name within the provider, e.g. `scs`; no '-'. */
  readonly stack: string;
  /** Full Kubernetes version this bundle is built and tested for. */
  readonly kubernetesVersion: KubernetesVersion;
  /** Versions of the stack and its components (from the version record). */
  readonly versions: ClusterStackVersions;
}

/** Bundle file names, as the operator and csctl expect them. */
export const BundleFiles = {
  clusterClass: 'cluster-class.yaml',
  clusterAddonDir: 'cluster-addon',
  clusterAddonConfig: 'clusteraddon.yaml',
  metadata: 'metadata.yaml',
  nodeImages: 'node-images.yaml',
  /** Node image build instructions (packer variables, checksums, build script). */
  nodeImageDir: NodeImageBuildFiles.dir,
} as const;

/**
 * Annotation of a node image object that has no download URL of its own (a
 * build recipe rather than an image manifest): where the image is built
 * from. The docs show it in place of the URL.
 */
export const NODE_IMAGE_SOURCE_ANNOTATION = 'cluster-stacks.x-k8s.io/source';

/**
 * One cluster stack: a provider's stack for one Kubernetes minor. It holds
 * the ClusterClass with its templates, the core addons and their hook stages,
 * the node images, and renders them as one bundle.
 */
export class ClusterStack extends Chart {
  public readonly identity: ClusterStackIdentity;
  /** `<provider>-<stack>-<major>-<minor>-<version>`. */
  public readonly clusterClassName: string;
  /** Scope for node image objects (written to node-images.yaml). */
  public readonly nodeImages: Construct;
  private clusterClassConstruct: ClusterClass | undefined;
  private readonly addonList: ClusterAddon[] = [];
  private stages: AddonStages = {};
  private nodeImageBuilds: NodeImageBuild[] = [];
  private nodeImageReleaseMethod: NodeImageRelease | undefined;
  private readonly stackVersions: ClusterStackVersions;
  private versionsRead = false;

  public constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, { disableResourceNameHashes: true });
    assertNamePart(props.provider, `${this.node.path}: 'provider'`);
    assertNamePart(props.stack, `${this.node.path}: 'stack'`);
    assertSupportedMinor(props.kubernetesVersion, `${this.node.path}: 'kubernetesVersion'`);
    this.identity = { provider: props.provider, stack: props.stack, kubernetes: props.kubernetesVersion };
    this.stackVersions = props.versions;
    this.clusterClassName = clusterClassName(this.identity, props.versions.clusterStack);
    this.nodeImages = new Construct(this, 'NodeImages');
    this.node.addValidation({ validate: () => (this.clusterClassConstruct ? [] : ['the stack defines no ClusterClass']) });
  }

  /** `<provider>-<stack>-<major>-<minor>`: the release name the operator passes to `helm template`. */
  public get name(): string {
    return clusterStackName(this.identity);
  }

  /** Versions of the stack and its components. */
  public get versions(): ClusterStackVersions {
    this.versionsRead = true;
    return this.stackVersions;
  }

  /** Release tag / directory name, e.g. `openstack-scs-1-34-v1`. */
  public get releaseTag(): string {
    this.versionsRead = true;
    return releaseTag(this.identity, this.stackVersions.clusterStack);
  }

  /**
   * Whether anything read {@link versions} or {@link releaseTag}. When
   * nothing did, the versions reach the bundle only through the
   * ClusterClass name (and the template names made from it) and
   * metadata.yaml, which is what lets a release rename a synthesized bundle
   * instead of building it again (lib/pipeline/retarget.ts).
   */
  public get readsVersions(): boolean {
    return this.versionsRead;
  }

  /** `<class>-<role>`: the name of a template the ClusterClass references. */
  public templateName(role: string): string {
    return templateName(this.clusterClassName, role);
  }

  public get clusterClass(): ClusterClass {
    if (!this.clusterClassConstruct) throw new Error(`${this.node.path}: no ClusterClass has been set`);
    return this.clusterClassConstruct;
  }

  public setClusterClass(clusterClass: ClusterClass): void {
    if (this.clusterClassConstruct) throw new Error(`${this.node.path}: a cluster stack has exactly one ClusterClass`);
    this.clusterClassConstruct = clusterClass;
  }

  public get addons(): readonly ClusterAddon[] {
    return this.addonList;
  }

  public addAddon(addon: ClusterAddon): ClusterAddon {
    if (this.addonList.some((a) => a.name === addon.name)) throw new Error(`${this.node.path}: addon '${addon.name}' is added twice`);
    this.addonList.push(addon);
    return addon;
  }

  /**
   * Swaps an addon for another of the same name (an overlay's values or
   * version override), in the list and in every hook stage.
   */
  public replaceAddon(addon: ClusterAddon): void {
    const index = this.addonList.findIndex((a) => a.name === addon.name);
    if (index < 0) throw new Error(`${this.node.path}: addon '${addon.name}' is not in the stack, so it cannot be replaced`);
    const old = this.addonList[index];
    this.addonList[index] = addon;
    this.stages = mapStages(this.stages, (e) => (e.addon === old ? [{ ...e, addon }] : [e]));
  }

  /** Removes an addon and its stage entries (an overlay's waived removal). */
  public removeAddon(name: string): void {
    const index = this.addonList.findIndex((a) => a.name === name);
    if (index < 0) throw new Error(`${this.node.path}: addon '${name}' is not in the stack, so it cannot be removed`);
    const [old] = this.addonList.splice(index, 1);
    this.stages = mapStages(this.stages, (e) => (e.addon === old ? [] : [e]));
  }

  /** clusteraddon.yaml's hook stages. */
  public get addonStages(): AddonStages {
    return this.stages;
  }

  /**
   * Declares how this stack's node images reach a cloud (see
   * {@link NodeImageRelease}). @default none: the provider needs no node
   * image of ours (e.g. CAPD's kindest/node).
   */
  public setNodeImageRelease(method: NodeImageRelease): void {
    this.nodeImageReleaseMethod = method;
  }

  public get nodeImageRelease(): NodeImageRelease | undefined {
    return this.nodeImageReleaseMethod;
  }

  /** Adds the instructions to build this bundle's node image, written to node-image/. */
  public addNodeImageBuild(build: NodeImageBuild): void {
    if (this.nodeImageBuilds.length > 0) throw new Error(`${this.node.path}: a bundle carries the build instructions of one node image (its Kubernetes version)`);
    if (build.props.kubernetes.toString() !== this.identity.kubernetes.toString()) {
      throw new Error(`${this.node.path}: node image build for Kubernetes ${build.props.kubernetes.toString()} in a bundle of ${this.identity.kubernetes.toString()}`);
    }
    this.nodeImageBuilds.push(build);
  }

  public get nodeImageBuild(): NodeImageBuild | undefined {
    return this.nodeImageBuilds[0];
  }

  /** Sets clusteraddon.yaml's hook stages. */
  public setAddonStages(stages: AddonStages): void {
    this.stages = stages;
  }

  /**
   * Validates every construct (messages carry the construct path) and
   * builds the bundle's model, from which lib/bytes/render.ts writes every
   * file.
   */
  public toModel(options: ModelOptions = {}): BundleModel {
    return withManifestSnapshot(() => this.buildModel(options.gitops ?? true));
  }

  private buildModel(gitops: boolean): BundleModel {
    const errors = this.node.findAll().flatMap((c: IConstruct) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
    if (errors.length > 0) throw new Error(`cluster stack ${this.name} is invalid:\n  ${errors.join('\n  ')}`);

    const clusterClass = this.clusterClass;
    const classObjects = [clusterClass.resource, ...clusterClass.templates];
    const imageObjects = this.nodeImages.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const placed = new Set<ApiObject>([...classObjects, ...imageObjects]);
    const all = this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const stray = all.filter((o) => !placed.has(o));
    if (stray.length > 0) {
      throw new Error(`cluster stack ${this.name}: ${stray.map((o) => `${o.kind} ${o.name} (${o.node.path})`).join(', ')} is neither referenced by the ClusterClass nor a node image`);
    }
    const notInStack = classObjects.filter((o) => !all.includes(o));
    if (notInStack.length > 0) {
      throw new Error(`cluster stack ${this.name}: the ClusterClass references ${notInStack.map((o) => `${o.kind} ${o.name}`).join(', ')} from outside the stack`);
    }
    const release = this.nodeImageReleaseMethod;
    if (release === 'url' && imageObjects.length === 0) throw new Error(`cluster stack ${this.name}: node images are released by URL, but the stack declares no node image object`);
    if (release === 'build-instructions' && this.nodeImageBuilds.length === 0) throw new Error(`cluster stack ${this.name}: node images are released as build instructions, but the stack adds none`);
    if (release === undefined && (imageObjects.length > 0 || this.nodeImageBuilds.length > 0)) {
      throw new Error(`cluster stack ${this.name}: the stack has node images but declares no release method (setNodeImageRelease)`);
    }
    return {
      identity: this.identity,
      versions: this.stackVersions,
      name: this.name,
      clusterClassName: this.clusterClassName,
      releaseTag: releaseTag(this.identity, this.stackVersions.clusterStack),
      clusterClass: {
        object: manifestOf(clusterClass.resource),
        templates: clusterClass.templates.map(manifestOf),
        variables: [...clusterClass.variables],
        patches: [...clusterClass.patches],
      },
      metadata: metadataDocument(this.identity.kubernetes, this.stackVersions),
      addons: [...this.addonList],
      addonStages: this.addonList.length > 0 ? addonStagesDocument(this.stages, this.addonList, this.node.path) : {},
      nodeImages: imageObjects.map(manifestOf),
      nodeImageRelease: release,
      nodeImageBuild: this.nodeImageBuilds[0],
      helmChartProxies: gitops ? helmChartProxies(this).map(manifestOf) : undefined,
    };
  }
}

function mapStages(stages: AddonStages, f: (entry: AddonStageEntry) => AddonStageEntry[]): AddonStages {
  const out: Partial<Record<AddonHook, readonly AddonStageEntry[]>> = {};
  for (const [hook, entries] of Object.entries(stages) as [AddonHook, readonly AddonStageEntry[]][]) out[hook] = entries.flatMap(f);
  return out;
}
