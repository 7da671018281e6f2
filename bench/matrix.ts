import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';

type Definition = ClusterStackDefinition<StackVersionsRow>;

/**
 * A synthetic matrix of exactly `bundles` stack × minor bundles, cloned from
 * the shipped stacks in turn (STACKS order: docker/scs, hetzner/scs, openstack/scs, docker/scs, …) with
 * distinct stack names s0, s1, …; each clone keeps its provider, its build
 * and its versions table, the last one trimmed so the count is exact.
 */
export function syntheticMatrix(shipped: readonly Definition[], bundles: number): Definition[] {
  if (shipped.length === 0) throw new Error('no shipped stacks to clone');
  const out: Definition[] = [];
  let left = bundles;
  for (let i = 0; left > 0; i++) {
    const base = shipped[i % shipped.length];
    const versions = base.versions.slice(0, Math.min(left, base.versions.length));
    out.push({ ...base, stack: `s${i}`, description: `${base.description} (bench clone ${i})`, versions });
    left -= versions.length;
  }
  return out;
}

/**
 * The matrix with one stack edited: every row of `matrix[index]` gets a
 * different metrics-server chart version, which changes that stack's addon
 * content (and nothing else) in each of its bundles.
 */
export function editOneStack(matrix: readonly Definition[], index: number, metricsServer: string): Definition[] {
  const edit = (row: StackVersionsRow): StackVersionsRow & { readonly metricsServer: string } => ({ ...row, metricsServer });
  return matrix.map((d, i) => (i === index ? { ...d, versions: d.versions.map(edit) } : d));
}
