import yaml from 'js-yaml';
import { clusterClassSelectorLabel, HELM_CHART_PROXIES_FILE } from '../../constructs/helm-chart-proxy.ts';
import type { UpgradeEffects } from '../release/upgrade-effects.ts';
import type { AllowedBreaking } from '../release/upgrade-paths.ts';
import type { Bundle } from '../pipeline/synth.ts';
import { code, heading, paragraph, strong, text, type Block, type Inline } from './model.ts';

/** The operator's ClusterStack object (clusterstack.x-k8s.io/v1alpha1, CRD in crds/cso-v0.2.0-alpha.1). */
export interface ClusterStackObject {
  readonly apiVersion: 'clusterstack.x-k8s.io/v1alpha1';
  readonly kind: 'ClusterStack';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly provider: string;
    readonly name: string;
    readonly kubernetesVersion: string;
    readonly channel: 'stable';
    readonly autoSubscribe: false;
    readonly noProvider: true;
    readonly versions: readonly string[];
  };
}

/**
 * The ClusterStack that makes the given versions of a bundle available:
 * the operator downloads each release and installs its ClusterClass. A
 * Cluster is moved only by its owner, so autoSubscribe stays off; the
 * previous version stays listed while Clusters still use its class.
 */
export function clusterStackObject(bundle: Bundle, versions: readonly string[]): ClusterStackObject {
  const { provider, stack, kubernetes } = bundle.identity;
  return {
    apiVersion: 'clusterstack.x-k8s.io/v1alpha1',
    kind: 'ClusterStack',
    metadata: { name: `${provider}-${stack}-${kubernetes.minorSlug}` },
    spec: {
      provider,
      name: stack,
      kubernetesVersion: kubernetes.minorSlug.replace('-', '.'),
      channel: 'stable',
      autoSubscribe: false,
      // The stacks ship no provider-specific release objects.
      noProvider: true,
      versions,
    },
  };
}

export interface UpgradeSectionInput {
  readonly bundle: Bundle;
  readonly clusterClassName: string;
  /** metadata.yaml versions.kubernetes, e.g. v1.34.7 */
  readonly kubernetes: string;
  /** The previous stack version of the same minor, when one was released. */
  readonly previousVersion?: string;
  /** The paths into this bundle and what each does. */
  readonly paths: readonly UpgradeEffects[];
  /** Set when this version was released over a breaking path. */
  readonly allowBreaking?: AllowedBreaking;
}

function pathBlocks(e: UpgradeEffects): Block[] {
  const rotated = e.templates.filter((t) => t.change === 'rotated').map((t) => `${t.role} (${t.kind})`);
  const inPlace = e.templates.filter((t) => t.change === 'in place').map((t) => `${t.role} (${t.kind})`);
  const items: Inline[][] = [
    [text('Kubernetes '), code(e.kubernetes)],
    [text('rotated templates, machines replaced one by one: '), text(rotated.length > 0 ? rotated.join(', ') : 'none')],
    [text('changed in place: '), text(inPlace.length > 0 ? inPlace.join(', ') : 'none')],
    [text('addons (operator): '), text(e.addons.map((a) => `${a.addon} ${a.change}`).join(', ') || 'none')],
  ];
  if (e.patchesChanged) items.push([text('patches changed: templates they select may change at run time too')]);
  items.push(e.problems.length === 0 ? [strong(text('Cluster API and the operator accept this path.'))] : [strong(text('Breaks:')), text(` ${e.problems.join(' · ')}`)]);
  return [heading(3, `From ${e.path.split(' → ')[0]} (${e.kind === 'same-minor' ? 'previous version' : 'previous Kubernetes minor'})`), { kind: 'list', items }];
}

/** "Upgrades": the paths into this bundle, what a user applies, and the steps to move a running Cluster. */
export function upgradeSection(input: UpgradeSectionInput): Block[] {
  const { bundle } = input;
  const version = bundle.versions.clusterStack.toString();
  const versions = input.previousVersion ? [input.previousVersion, version] : [version];
  const label = clusterClassSelectorLabel(input.clusterClassName);
  const patch = JSON.stringify({ spec: { topology: { class: input.clusterClassName, version: input.kubernetes } } });
  const blocks: Block[] = [
    heading(2, 'Upgrades', 'upgrades'),
    paragraph(
      text('A running Cluster moves to this bundle by changing its ClusterClass and Kubernetes version in one update. '),
      text("Cluster API's webhook checks the change (same infrastructure and control plane kinds, worker classes kept, variables still valid, one minor at a time); "),
      text('the control plane rolls first, then the workers. '), code('release'), text(' checks every path below before it gives a version.'),
    ),
  ];
  if (input.allowBreaking) {
    blocks.push(paragraph(strong(text('Released over a breaking upgrade path:')), text(` ${input.allowBreaking.reason}`)), { kind: 'list', items: input.allowBreaking.findings.map((f) => [text(f)]) });
  }
  if (input.paths.length === 0) blocks.push(paragraph(text('No earlier version and no earlier Kubernetes minor of this stack: Clusters start here.')));
  for (const e of input.paths) blocks.push(...pathBlocks(e));
  blocks.push(
    heading(3, 'With the Cluster Stack Operator'),
    paragraph(text('Step 1: make this version available (keep the version Clusters run now while they move):')),
    { kind: 'code', language: 'yaml', text: yaml.dump(clusterStackObject(bundle, versions), { noRefs: true, lineWidth: -1 }) },
    paragraph(text('Step 2: wait for the ClusterClass: '), code(`kubectl get clusterclass ${input.clusterClassName}`), text('.')),
    paragraph(text('Step 3: move the Cluster: '), code(`kubectl patch cluster <name> --type merge -p '${patch}'`), text('. The operator upgrades the addons in the BeforeClusterUpgrade hook.')),
    heading(3, 'With Cluster API Addon Provider Helm'),
    paragraph(
      text('Step 1: apply '), code('cluster-class.yaml'), text(' and '), code(HELM_CHART_PROXIES_FILE), text(` of dist/${bundle.path}/.`),
    ),
    paragraph(text('Step 2: label the Cluster so the proxies select it: '), code(`kubectl label cluster <name> --overwrite ${label.key}=${label.value}`), text('.')),
    paragraph(text('Step 3: move the Cluster: '), code(`kubectl patch cluster <name> --type merge -p '${patch}'`), text('.')),
  );
  return blocks;
}
