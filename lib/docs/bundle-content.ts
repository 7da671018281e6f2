import yaml from 'js-yaml';
import { BundleFiles, NODE_IMAGE_SOURCE_ANNOTATION } from '../../constructs/cluster-stack.ts';
import type { JSONSchemaProps } from '../crd-schema.ts';
import type { Bundle } from '../synth.ts';

/**
 * What the docs show, read back from a synthesized bundle's files rather
 * than from the constructs: the pages describe exactly what is shipped, and
 * a bundle from anywhere (a release folder, another generator) reads the same.
 */

export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface ClusterClassVariable {
  readonly name: string;
  readonly required: boolean;
  readonly schema: { readonly openAPIV3Schema: JSONSchemaProps };
}

export interface MatchResources {
  readonly controlPlane?: boolean;
  readonly infrastructureCluster?: boolean;
  readonly machineDeploymentClass?: { readonly names?: readonly string[] };
  readonly machinePoolClass?: { readonly names?: readonly string[] };
}

export interface JsonPatch {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
  readonly valueFrom?: { readonly variable?: string; readonly template?: string };
}

export interface PatchDefinition {
  readonly selector: { readonly apiVersion: string; readonly kind: string; readonly matchResources: MatchResources };
  readonly jsonPatches: readonly JsonPatch[];
}

export interface ClusterClassPatch {
  readonly name: string;
  readonly description?: string;
  readonly enabledIf?: string;
  readonly definitions?: readonly PatchDefinition[];
  /** Runtime-extension patches; shown by their extension names. */
  readonly external?: Readonly<Record<string, unknown>>;
}

export interface MachineDeploymentClass {
  readonly class: string;
  readonly template: { readonly bootstrap: { readonly ref: ObjectReference }; readonly infrastructure: { readonly ref: ObjectReference } };
}

export interface ClusterClassSpec {
  readonly infrastructure: { readonly ref: ObjectReference };
  readonly controlPlane: { readonly ref: ObjectReference; readonly machineInfrastructure?: { readonly ref: ObjectReference } };
  readonly workers?: { readonly machineDeployments?: readonly MachineDeploymentClass[] };
  readonly variables?: readonly ClusterClassVariable[];
  readonly patches?: readonly ClusterClassPatch[];
}

export interface AddonContent {
  /** Folder below cluster-addon/. */
  readonly folder: string;
  readonly description: string;
  readonly charts: readonly { readonly name: string; readonly repository: string; readonly version: string }[];
  /** Hook stages that apply or delete this addon, in clusteraddon.yaml order, e.g. `AfterControlPlaneInitialized`. */
  readonly stages: readonly { readonly hook: string; readonly action: string }[];
}

export interface NodeImageContent {
  readonly kind: string;
  readonly name: string;
  readonly url: string | undefined;
  readonly hash: { readonly algorithm: string; readonly value: string } | undefined;
}

export interface BundleContent {
  readonly bundle: Bundle;
  readonly clusterClassName: string;
  readonly clusterClass: ClusterClassSpec;
  /** Kubernetes version as in metadata.yaml, e.g. `v1.34.7`. */
  readonly kubernetes: string;
  readonly versions: { readonly clusterStack: string; readonly clusterAddon: string; readonly nodeImage: string };
  readonly addons: readonly AddonContent[];
  readonly nodeImages: readonly NodeImageContent[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function fileOf(bundle: Bundle, path: string): string | undefined {
  return bundle.files.find((f) => f.path === path)?.content;
}

function loadDocuments(content: string, where: string): Record<string, unknown>[] {
  return yaml.loadAll(content, null, { filename: where }).filter(isRecord);
}

/** Reads the parts of a synthesized bundle the docs show; errors name the bundle file. */
export function readBundleContent(bundle: Bundle): BundleContent {
  const at = (file: string) => `${bundle.path}/${file}`;

  const classText = fileOf(bundle, BundleFiles.clusterClass);
  if (classText === undefined) throw new Error(`${at(BundleFiles.clusterClass)} is missing`);
  const classObject = loadDocuments(classText, at(BundleFiles.clusterClass)).find((d) => d.kind === 'ClusterClass');
  if (!classObject || !isRecord(classObject.metadata) || !isRecord(classObject.spec)) {
    throw new Error(`${at(BundleFiles.clusterClass)}: no ClusterClass with metadata and spec`);
  }

  const metadataText = fileOf(bundle, BundleFiles.metadata);
  if (metadataText === undefined) throw new Error(`${at(BundleFiles.metadata)} is missing`);
  const metadata = yaml.load(metadataText) as { versions?: { clusterStack?: unknown; kubernetes?: unknown; components?: { clusterAddon?: unknown; nodeImage?: unknown } } } | null;
  const v = metadata?.versions;

  return {
    bundle,
    clusterClassName: str(classObject.metadata.name, `${at(BundleFiles.clusterClass)} ClusterClass metadata.name`),
    clusterClass: classObject.spec as unknown as ClusterClassSpec,
    kubernetes: str(v?.kubernetes, `${at(BundleFiles.metadata)} versions.kubernetes`),
    versions: {
      clusterStack: str(v?.clusterStack, `${at(BundleFiles.metadata)} versions.clusterStack`),
      clusterAddon: str(v?.components?.clusterAddon, `${at(BundleFiles.metadata)} versions.components.clusterAddon`),
      nodeImage: str(v?.components?.nodeImage, `${at(BundleFiles.metadata)} versions.components.nodeImage`),
    },
    addons: readAddons(bundle),
    nodeImages: readNodeImages(bundle),
  };
}

function readAddons(bundle: Bundle): AddonContent[] {
  const stagesText = fileOf(bundle, BundleFiles.clusterAddonConfig);
  const config = stagesText === undefined ? undefined : (yaml.load(stagesText) as { addonStages?: Record<string, readonly { name: string; action?: string }[]> } | null);
  const stages = Object.entries(config?.addonStages ?? {});
  const prefix = `${BundleFiles.clusterAddonDir}/`;
  const folders = [...new Set(bundle.files.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length).split('/')[0]))];
  return folders.map((folder) => {
    const chartPath = `${prefix}${folder}/Chart.yaml`;
    const chartText = fileOf(bundle, chartPath);
    const chart = chartText === undefined ? undefined : (yaml.load(chartText) as { description?: string; dependencies?: readonly { name: string; repository: string; version: string }[] } | null);
    return {
      folder,
      description: chart?.description ?? '',
      charts: (chart?.dependencies ?? []).map((d) => ({ name: d.name, repository: d.repository, version: String(d.version) })),
      stages: stages.flatMap(([hook, entries]) => entries.filter((e) => e.name === folder).map((e) => ({ hook, action: e.action ?? 'apply' }))),
    };
  });
}

/** Reads a nested field without trusting the shape. */
function dig(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function readNodeImages(bundle: Bundle): NodeImageContent[] {
  const text = fileOf(bundle, BundleFiles.nodeImages);
  if (text === undefined) return [];
  return loadDocuments(text, `${bundle.path}/${BundleFiles.nodeImages}`).map((doc) => {
    // ORC Image: spec.resource.content.download.{url,hash}; a build recipe
    // (hetzner/scs's ConfigMap) names its source in an annotation. Other kinds show their name only.
    const download = dig(doc, 'spec', 'resource', 'content', 'download');
    const url = dig(download, 'url') ?? dig(doc, 'metadata', 'annotations', NODE_IMAGE_SOURCE_ANNOTATION);
    const algorithm = dig(download, 'hash', 'algorithm');
    const value = dig(download, 'hash', 'value');
    return {
      kind: String(doc.kind),
      name: String(dig(doc, 'metadata', 'name')),
      url: typeof url === 'string' ? url : undefined,
      hash: typeof algorithm === 'string' && typeof value === 'string' ? { algorithm, value } : undefined,
    };
  });
}
