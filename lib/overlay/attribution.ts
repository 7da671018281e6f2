import { ApiObject, App } from 'cdk8s';
import { ClusterStack } from '../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { OverlayStackDefinition } from '../../constructs/overlay/overlay.ts';
import { sameJson } from '../../constructs/overlay/schema-strictness.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { INITIAL_VERSIONS } from '../pipeline/synth.ts';

/** Where a difference between two builds of an overlay comes from. */
export type ChangeOrigin = 'base' | 'overlay' | 'base and overlay';

export interface AttributedChange {
  /** `<kind> <name>` with the ClusterClass name as `<class>`, or `addon <name>`, `addon stages`. */
  readonly object: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly origin: ChangeOrigin;
}

/**
 * Per object of one Kubernetes minor, whether the difference between two
 * builds of an overlay (e.g. before and after a base update, or an edit of
 * the overlay) comes from the base, from the overlay, or from both: the
 * base's own object changed, and/or what the overlay does to it (its
 * difference from the base's object) changed.
 */
export function attributeChanges(before: OverlayStackDefinition, after: OverlayStackDefinition, kubernetes: string): AttributedChange[] {
  const rowOf = (d: OverlayStackDefinition) => {
    const row = d.versions.find((r) => KubernetesVersion.parse(r.kubernetes).minorSlug === KubernetesVersion.parse(kubernetes).minorSlug);
    if (!row) throw new Error(`${d.provider}/${d.stack} has no row for Kubernetes ${kubernetes}`);
    return row;
  };
  const objects = (d: ClusterStackDefinition<StackVersionsRow>, row: StackVersionsRow) => objectsOf(build(d, row));
  const bOld = objects(before.overlay.base, rowOf(before));
  const bNew = objects(after.overlay.base, rowOf(after));
  const dOld = objects(before, rowOf(before));
  const dNew = objects(after, rowOf(after));
  const out: AttributedChange[] = [];
  for (const key of [...new Set([...dOld.keys(), ...dNew.keys()])].sort()) {
    const o = dOld.get(key);
    const n = dNew.get(key);
    if (sameJson(o, n)) continue;
    const baseChanged = !sameJson(bOld.get(key), bNew.get(key));
    const overlayChanged = !sameJson(delta(bOld.get(key), o), delta(bNew.get(key), n));
    out.push({
      object: key,
      change: o === undefined ? 'added' : n === undefined ? 'removed' : 'changed',
      origin: baseChanged && overlayChanged ? 'base and overlay' : baseChanged ? 'base' : 'overlay',
    });
  }
  return out;
}

function build(definition: ClusterStackDefinition<StackVersionsRow>, row: StackVersionsRow): ClusterStack {
  const id: ClusterStackIdentity = { provider: definition.provider, stack: definition.stack, kubernetes: KubernetesVersion.parse(row.kubernetes) };
  const stack = new ClusterStack(new App({ outdir: '/nonexistent' }), clusterStackName(id), { provider: id.provider, stack: id.stack, kubernetesVersion: id.kubernetes, versions: INITIAL_VERSIONS });
  definition.build(stack, row);
  return stack;
}

/** Every object of a built stack as JSON, keyed so base and overlay objects line up. */
function objectsOf(stack: ClusterStack): Map<string, unknown> {
  const name = stack.clusterClassName;
  const normal = (v: unknown): unknown => JSON.parse(JSON.stringify(v).split(name).join('<class>')) as unknown;
  const out = new Map<string, unknown>();
  const apiObjects = [stack.clusterClass.resource, ...stack.clusterClass.templates, ...stack.nodeImages.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)];
  for (const o of apiObjects) out.set(`${o.kind} ${o.name.split(name).join('<class>')}`, normal(o.toJson()));
  for (const a of stack.addons) out.set(`addon ${a.name}`, a.files());
  out.set('addon stages', Object.fromEntries(Object.entries(stack.addonStages).map(([hook, entries]) => [hook, (entries ?? []).map((e) => `${e.addon.name}:${e.action ?? 'apply'}`)])));
  return out;
}

/** What the overlay makes of the base's object: the leaves where it differs (the whole object when the base has none). */
function delta(base: unknown, derived: unknown): unknown {
  if (derived === undefined) return { removed: true };
  if (base === undefined) return { added: derived };
  const b = leaves(base);
  const d = leaves(derived);
  const out: Record<string, unknown> = {};
  for (const [p, v] of d) if (!b.has(p) || !sameJson(b.get(p), v)) out[p] = v;
  for (const p of b.keys()) if (!d.has(p)) out[p] = '<removed>';
  return out;
}

function leaves(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => leaves(v, `${prefix}/${i}`, into));
  else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
  } else into.set(prefix, value);
  return into;
}
