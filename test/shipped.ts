import { KubernetesVersion } from '../constructs/kubernetes-version.ts';
import { STACKS } from '../stacks/index.ts';

/**
 * `<provider>/<stack>/<major>-<minor>` of every bundle the registered stack
 * definitions declare, sorted: what synthesis must produce. Derived from the
 * definitions, not from synthesis, so a missing bundle is caught, and a stack
 * added with `new` is covered at once.
 */
export function shippedBundlePaths(): string[] {
  return STACKS.flatMap((d) => d.versions.map((r) => `${d.provider}/${d.stack}/${KubernetesVersion.parse(r.kubernetes).minorSlug}`)).sort();
}
