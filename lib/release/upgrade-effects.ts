import { addonFlowRuns, checkUpgrade, formatFindings, pathLabel, type UpgradePath } from './upgrade-check.ts';
import { clusterClassInFileOrder, type KubeObject, type UpgradeSide } from './upgrade-side.ts';

/**
 * What an upgrade path does to a running Cluster, read from the two
 * bundles: Cluster API's topology controller rotates a referenced template
 * (creates a copy under a new name) when its content changes, and machines
 * built from a rotated InfrastructureMachineTemplate or
 * KubeadmConfigTemplate are replaced one by one; the KubeadmControlPlane and
 * the infrastructure cluster are patched in place (the control plane machines
 * roll when the KubeadmControlPlane's kubeadmConfigSpec or Kubernetes version
 * changes). Patches are compared as a whole: a changed patch may change any
 * template it selects at run time, which this static view reports but cannot
 * evaluate.
 */
export interface TemplateEffect {
  /** Where the ClusterClass references it, e.g. `workers default-worker infrastructure`. */
  readonly role: string;
  readonly kind: string;
  readonly change: 'rotated' | 'in place' | 'unchanged';
  /** What it means for the machines. */
  readonly effect: string;
}

export interface AddonEffect {
  readonly addon: string;
  readonly change: 'installed' | 'upgraded' | 'unchanged' | 'removed' | 'left running' | 'untouched';
}

export interface UpgradeEffects {
  readonly path: string;
  readonly kind: UpgradePath['kind'];
  readonly kubernetes: string;
  readonly templates: readonly TemplateEffect[];
  readonly patchesChanged: boolean;
  readonly addons: readonly AddonEffect[];
  /** The fast check's findings (empty: Cluster API and the operator accept the path). */
  readonly problems: readonly string[];
}

interface RefSlot {
  readonly role: string;
  readonly ref: { kind?: string; name?: string } | undefined;
  /** KubeadmControlPlane and infrastructure cluster templates are applied in place. */
  readonly inPlace: boolean;
  readonly machines: string;
}

function slots(cc: KubeObject): RefSlot[] {
  const spec = (cc.spec ?? {}) as {
    infrastructure?: { ref?: { kind?: string; name?: string } };
    controlPlane?: { ref?: { kind?: string; name?: string }; machineInfrastructure?: { ref?: { kind?: string; name?: string } } };
    workers?: { machineDeployments?: { class: string; template?: { bootstrap?: { ref?: { kind?: string; name?: string } }; infrastructure?: { ref?: { kind?: string; name?: string } } } }[] };
  };
  const out: RefSlot[] = [
    { role: 'infrastructure cluster', ref: spec.infrastructure?.ref, inPlace: true, machines: '' },
    { role: 'control plane', ref: spec.controlPlane?.ref, inPlace: true, machines: 'control plane machines' },
  ];
  if (spec.controlPlane?.machineInfrastructure) out.push({ role: 'control plane machine infrastructure', ref: spec.controlPlane.machineInfrastructure.ref, inPlace: false, machines: 'control plane machines' });
  for (const md of spec.workers?.machineDeployments ?? []) {
    out.push({ role: `workers ${md.class} bootstrap`, ref: md.template?.bootstrap?.ref, inPlace: false, machines: `${md.class} workers` });
    out.push({ role: `workers ${md.class} infrastructure`, ref: md.template?.infrastructure?.ref, inPlace: false, machines: `${md.class} workers` });
  }
  return out;
}

/** A template's content without its name, with the class name replaced, for comparing versions. */
function content(side: UpgradeSide, name: string | undefined): string | undefined {
  const obj = side.objects.find((o) => o.metadata.name === name && o.kind !== 'ClusterClass');
  if (!obj) return undefined;
  const className = clusterClassInFileOrder(side).metadata.name;
  return JSON.stringify({ ...obj, metadata: { ...obj.metadata, name: '' } }).split(className).join('<class>');
}

function patches(side: UpgradeSide): string {
  const cc = clusterClassInFileOrder(side);
  return JSON.stringify((cc.spec as { patches?: unknown } | undefined)?.patches ?? []).split(cc.metadata.name).join('<class>');
}

function folderContent(side: UpgradeSide, addon: string): string | undefined {
  const folder = side.addonFolders.get(addon);
  return folder ? JSON.stringify([...folder].sort(([a], [b]) => (a < b ? -1 : 1))) : undefined;
}

export function upgradeEffects(path: UpgradePath): UpgradeEffects {
  const { from, to } = path;
  const versionChanges = from.kubernetes !== to.kubernetes;
  const before = new Map(slots(clusterClassInFileOrder(from)).map((s) => [s.role, s]));
  const templates: TemplateEffect[] = [];
  for (const slot of slots(clusterClassInFileOrder(to))) {
    const old = before.get(slot.role);
    const changed = !old || content(from, old.ref?.name) !== content(to, slot.ref?.name);
    const kind = slot.ref?.kind ?? '?';
    let effect: string;
    if (slot.role === 'control plane') {
      effect = changed || versionChanges ? `KubeadmControlPlane patched in place${versionChanges ? `; control plane machines roll to ${to.kubernetes}` : '; control plane machines roll if its kubeadmConfigSpec changed'}` : 'nothing';
    } else if (slot.inPlace) {
      effect = changed ? 'patched in place' : 'nothing';
    } else {
      effect = changed ? `rotated to a new name: rolling replacement of the ${slot.machines}` : versionChanges ? `${slot.machines} roll for the Kubernetes version` : 'nothing';
    }
    templates.push({ role: slot.role, kind, change: changed ? (slot.inPlace ? 'in place' : 'rotated') : 'unchanged', effect });
  }
  const addons: AddonEffect[] = [];
  const runs = addonFlowRuns(from, to);
  const stagesOf = (side: UpgradeSide, hook: string) => side.addonStages[hook] ?? [];
  const applied = new Set(stagesOf(to, 'BeforeClusterUpgrade').filter((s) => s.action === 'apply').map((s) => s.name));
  const deleted = new Set(stagesOf(to, 'BeforeClusterUpgrade').filter((s) => s.action !== 'apply').map((s) => s.name));
  const everInstalled = new Set(stagesOf(from, 'AfterControlPlaneInitialized').filter((s) => s.action === 'apply').map((s) => s.name));
  const names = [...new Set([...everInstalled, ...applied, ...deleted])].sort();
  for (const addon of names) {
    let change: AddonEffect['change'];
    if (!runs) change = 'untouched';
    else if (deleted.has(addon)) change = 'removed';
    else if (applied.has(addon)) change = !everInstalled.has(addon) ? 'installed' : folderContent(from, addon) === folderContent(to, addon) ? 'unchanged' : 'upgraded';
    else change = 'left running';
    addons.push({ addon, change });
  }
  return {
    path: pathLabel(path),
    kind: path.kind,
    kubernetes: versionChanges ? `${from.kubernetes} → ${to.kubernetes}` : `${to.kubernetes} (unchanged)`,
    templates,
    patchesChanged: patches(from) !== patches(to),
    addons,
    problems: formatFindings(checkUpgrade(path)),
  };
}

/** The text `diff` prints for one path. */
export function formatEffects(e: UpgradeEffects): string {
  const lines = [`upgrade ${e.path} (${e.kind === 'same-minor' ? 'same minor' : 'next minor'}, Kubernetes ${e.kubernetes})`];
  for (const t of e.templates) lines.push(`  ${t.change.padEnd(9)} ${t.role} (${t.kind}): ${t.effect}`);
  if (e.patchesChanged) lines.push('  patches changed: the templates they select may change at run time too');
  if (e.addons.length > 0) lines.push(`  addons: ${e.addons.map((a) => `${a.addon} ${a.change}`).join(', ')}`);
  lines.push(...(e.problems.length === 0 ? ['  Cluster API and the operator accept this path'] : e.problems.map((p) => `  BREAKS: ${p}`)));
  return `${lines.join('\n')}\n`;
}
