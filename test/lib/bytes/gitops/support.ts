import { resolve } from 'node:path';
import { App } from 'cdk8s';
import type { BundleFile } from '../../../../constructs/cluster-addon.ts';
import { ClusterStack } from '../../../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../../constructs/stack-definition.ts';
import { renderBundleFiles } from '../../../../lib/bytes/render.ts';
import { readRecord } from '../../../../lib/release/version-record.ts';
import { INITIAL_VERSIONS } from '../../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../../stacks/index.ts';

export const ROOT = resolve(import.meta.dirname, '../../../..');
export const EXAMPLES = resolve(ROOT, 'examples/gitops');

/** One shipped stack × minor, built the way lib/pipeline/synth.ts builds it, with the GitOps files added. */
export interface GitopsBundle {
  readonly stack: ClusterStack;
  readonly identity: ClusterStackIdentity;
  /** `<provider>/<stack>/<major>-<minor>`, below dist/. */
  readonly path: string;
  readonly clusterClassName: string;
  /** Every file of the bundle, helm-chart-proxies.yaml and kustomization.yaml included, sorted. */
  readonly files: readonly BundleFile[];
}

/**
 * Every shipped stack × minor with the versions of its version record (what
 * dist/ holds), and its files.
 */
export function gitopsBundles(definitions: readonly ClusterStackDefinition<StackVersionsRow>[] = STACKS): GitopsBundle[] {
  return definitions.flatMap((definition) =>
    definition.versions.map((row) => {
      const kubernetes = KubernetesVersion.parse(row.kubernetes);
      const identity: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes };
      const versions = readRecord(ROOT, identity)?.versions ?? INITIAL_VERSIONS;
      const stack = new ClusterStack(new App({ outdir: '/nonexistent' }), clusterStackName(identity), {
        provider: identity.provider,
        stack: identity.stack,
        kubernetesVersion: kubernetes,
        versions,
      });
      definition.build(stack, row);
      return {
        stack,
        identity,
        path: `${identity.provider}/${identity.stack}/${kubernetes.minorSlug}`,
        clusterClassName: stack.clusterClassName,
        files: renderBundleFiles(stack.toModel()),
      };
    }),
  );
}

/** The content of one file of a bundle; throws naming the bundle when it is missing. */
export function fileOf(bundle: GitopsBundle, path: string): string {
  const file = bundle.files.find((f) => f.path === path);
  if (!file) throw new Error(`${bundle.path} has no ${path}; it has ${bundle.files.map((f) => f.path).join(', ')}`);
  return file.content;
}
