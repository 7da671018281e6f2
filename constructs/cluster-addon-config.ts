import type { ClusterAddon } from './cluster-addon.ts';
import { dumpYaml } from './cluster-addon.ts';

/** Lifecycle hooks at which the Cluster Stack Operator applies addons. */
export type AddonHook = 'AfterControlPlaneInitialized' | 'BeforeClusterUpgrade' | 'AfterClusterUpgrade';

const HOOK_ORDER: readonly AddonHook[] = ['AfterControlPlaneInitialized', 'BeforeClusterUpgrade', 'AfterClusterUpgrade'];

/** One entry of a hook stage. */
export interface AddonStageEntry {
  /** The addon, by object: a stage cannot name a folder that does not exist. */
  readonly addon: ClusterAddon;
  /** @default 'apply' */
  readonly action?: 'apply' | 'delete';
}

export type AddonStages = Partial<Record<AddonHook, readonly AddonStageEntry[]>>;

/**
 * clusteraddon.yaml: which addons the operator applies at which hook, in order.
 * @see consumer-contract.md, "Release assets"
 */
export function renderClusterAddonConfig(stages: AddonStages, addons: readonly ClusterAddon[], where: string): string {
  const known = new Set(addons);
  const addonStages: Record<string, { name: string; action: string }[]> = {};
  for (const hook of HOOK_ORDER) {
    const entries = stages[hook];
    if (!entries) continue;
    addonStages[hook] = entries.map((e, i) => {
      if (!known.has(e.addon)) {
        throw new Error(`${where}: clusteraddon.yaml addonStages.${hook}[${i}] names addon '${e.addon.name}', which the stack does not ship`);
      }
      return { name: e.addon.name, action: e.action ?? 'apply' };
    });
  }
  for (const hook of Object.keys(stages)) {
    if (!HOOK_ORDER.includes(hook as AddonHook)) throw new Error(`${where}: unknown addon hook '${hook}'; expected one of ${HOOK_ORDER.join(', ')}`);
  }
  // Key order matters to humans reading the file, so it is written unsorted
  // but in the fixed HOOK_ORDER.
  return [
    'apiVersion: clusteraddonconfig.x-k8s.io/v1alpha1',
    'clusterAddonVersion: clusteraddons.clusterstack.x-k8s.io/v1alpha1',
    dumpYaml({ addonStages }).trimEnd(),
    '',
  ].join('\n');
}
