import { App } from 'cdk8s';
import type { BundleModel } from '../../constructs/bundle-model.ts';
import type { BundleFile } from '../../constructs/cluster-addon.ts';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, HardeningDeviation, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { assertAddonValues } from '../addon-values/check.ts';
import type { TreeFile } from '../bytes/atomic-write.ts';
import { renderBundleFiles } from '../bytes/render.ts';

/**
 * A bundle as bytes: what a release packages, for a bundle synthesized now
 * or one rebuilt from an earlier commit's dist/ (which has no model).
 */
export interface BundleBytes {
  readonly identity: ClusterStackIdentity;
  /** `<provider>/<stack>/<major>-<minor>`, the bundle's folder below dist/. */
  readonly path: string;
  readonly versions: ClusterStackVersions;
  readonly clusterClassName: string;
  readonly releaseTag: string;
  readonly files: readonly BundleFile[];
  /** The model the files were rendered from; absent for bytes from elsewhere (an earlier commit). */
  readonly model?: BundleModel;
  /** The baseline items the stack's definition declares it leaves out (the compliance checks read them). */
  readonly hardeningDeviations?: readonly HardeningDeviation[];
}

/** One synthesized stack × minor: its model, and its files rendered from it (lib/bytes/render.ts). */
export interface Bundle extends BundleBytes {
  /** What the bundle holds, typed; read this rather than parsing the files. */
  readonly model: BundleModel;
  /**
   * Whether the stack's definition read its versions (ClusterStack.readsVersions):
   * only a bundle whose definition did not may be renamed to other versions
   * (lib/pipeline/retarget.ts).
   */
  readonly readsVersions: boolean;
}

export interface SynthOptions {
  /** Versions for a stack × minor. @default v1 for the stack and each component */
  readonly versionsFor?: (identity: ClusterStackIdentity) => ClusterStackVersions;
  /** Only stacks × minors this returns true for. @default all */
  readonly filter?: (identity: ClusterStackIdentity) => boolean;
  /** Whether to build the GitOps files of dist/ (ModelOptions.gitops). @default true */
  readonly gitops?: boolean;
}

/** The versions of a first release, and of a stack × minor that has no version record yet. */
export const INITIAL_VERSIONS: ClusterStackVersions = {
  clusterStack: StackVersion.stable(1),
  clusterAddon: StackVersion.stable(1),
  nodeImage: StackVersion.stable(1),
};

/**
 * Builds every stack × Kubernetes minor and renders its bundle. Pure: no
 * network, no environment, no files written; errors name the stack.
 */
export function synthesize(definitions: readonly ClusterStackDefinition<StackVersionsRow>[], options: SynthOptions = {}): Bundle[] {
  if (definitions.length === 0) throw new Error('no stack definitions: register stacks in stacks/index.ts');
  const seen = new Set<string>();
  const seenStacks = new Set<string>();
  const bundles: Bundle[] = [];
  for (const definition of definitions) {
    const stackName = `${definition.provider}/${definition.stack}`;
    // One definition per stack: a second one would split its minors (and
    // their versions tables) over two places.
    if (seenStacks.has(stackName)) throw new Error(`stack ${stackName} is defined more than once; put all its Kubernetes minors in one versions table`);
    seenStacks.add(stackName);
    if (!Array.isArray(definition.versions) || definition.versions.length === 0) {
      throw new Error(`stack ${stackName}: 'versions' is empty; expected one row per Kubernetes minor`);
    }
    for (const [index, row] of definition.versions.entries()) {
      const where = `stack ${definition.provider}/${definition.stack} versions[${index}]`;
      let kubernetes: KubernetesVersion;
      try {
        kubernetes = KubernetesVersion.parse(row.kubernetes);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      const identity: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes };
      const name = clusterStackName(identity);
      if (seen.has(name)) throw new Error(`${where}: ${name} is defined more than once (each Kubernetes minor once per stack)`);
      seen.add(name);
      if (options.filter && !options.filter(identity)) continue;
      bundles.push(synthesizeOne(definition, row, identity, options.versionsFor?.(identity) ?? INITIAL_VERSIONS, options.gitops ?? true));
    }
  }
  return bundles;
}

function synthesizeOne(definition: ClusterStackDefinition<StackVersionsRow>, row: StackVersionsRow, identity: ClusterStackIdentity, versions: ClusterStackVersions, gitops: boolean): Bundle {
  const name = clusterStackName(identity);
  try {
    const app = new App({ outdir: '/nonexistent' });
    const stack = new ClusterStack(app, name, {
      provider: identity.provider,
      stack: identity.stack,
      kubernetesVersion: identity.kubernetes,
      versions,
    });
    definition.build(stack, row);
    // Keys the upstream chart does not read would be silently ignored by Helm.
    assertAddonValues(stack.addons, `stack ${name}`);
    const model = stack.toModel({ gitops });
    return {
      identity,
      path: `${identity.provider}/${identity.stack}/${identity.kubernetes.minorSlug}`,
      versions,
      clusterClassName: model.clusterClassName,
      releaseTag: model.releaseTag,
      model,
      files: renderBundleFiles(model),
      readsVersions: stack.readsVersions,
      ...(definition.hardeningDeviations ? { hardeningDeviations: definition.hardeningDeviations } : {}),
    };
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.includes(name) ? message : `stack ${name}: ${message}`);
  }
}

/** Folders of files (bundles below dist/, release folders below release/) as files below their root. */
export function bundleTree(bundles: readonly { readonly path: string; readonly files: readonly TreeFile[] }[]): TreeFile[] {
  return bundles.flatMap((b) => b.files.map((f) => ({ path: `${b.path}/${f.path}`, content: f.content })));
}
