import type { ClusterAddon } from './cluster-addon.ts';

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

/** clusteraddon.yaml's stages: per hook, in hook order, the addon folders and what the operator does with them. */
export type AddonStagesDocument = Readonly<Partial<Record<AddonHook, readonly { readonly name: string; readonly action: 'apply' | 'delete' }[]>>>;

/**
 * clusteraddon.yaml's `addonStages`: which addons the operator applies at
 * which hook, in order, with every entry checked to name a shipped addon.
 * @see consumer-contract.md, "Release assets"
 */
export function addonStagesDocument(stages: AddonStages, addons: readonly ClusterAddon[], where: string): AddonStagesDocument {
  const known = new Set(addons);
  for (const hook of Object.keys(stages)) {
    if (!HOOK_ORDER.includes(hook as AddonHook)) throw new Error(`${where}: unknown addon hook '${hook}'; expected one of ${HOOK_ORDER.join(', ')}`);
  }
  const out: Partial<Record<AddonHook, { name: string; action: 'apply' | 'delete' }[]>> = {};
  for (const hook of HOOK_ORDER) {
    const entries = stages[hook];
    if (!entries) continue;
    out[hook] = entries.map((e, i) => {
      if (!known.has(e.addon)) {
        throw new Error(`${where}: clusteraddon.yaml addonStages.${hook}[${i}] names addon '${e.addon.name}', which the stack does not ship`);
      }
      return { name: e.addon.name, action: e.action ?? 'apply' };
    });
  }
  return out;
}
