import type { ApiObject } from 'cdk8s';
import type { ManifestObject } from './bundle-model.ts';

let snapshot: WeakMap<ApiObject, ManifestObject> | undefined;

/**
 * An object's manifest (cdk8s `toJson()`, which resolves every lazy value
 * and is most of a synthesis's cost). Inside withManifestSnapshot each object
 * is resolved once, so the ClusterClass's patch validation and the bundle
 * model share one resolution; outside it, every call resolves afresh, as the
 * tree may still change. Callers must not mutate the result.
 */
export function manifestOf(object: ApiObject): ManifestObject {
  if (snapshot === undefined) return object.toJson() as ManifestObject;
  let manifest = snapshot.get(object);
  if (manifest === undefined) {
    manifest = object.toJson() as ManifestObject;
    snapshot.set(object, manifest);
  }
  return manifest;
}

/** Runs `f` over a construct tree that no longer changes (validation and model building), resolving each object once. */
export function withManifestSnapshot<T>(f: () => T): T {
  const outer = snapshot;
  snapshot = new WeakMap();
  try {
    return f();
  } finally {
    snapshot = outer;
  }
}
