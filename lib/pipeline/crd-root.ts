import { resolve } from 'node:path';
import { PROJECT_ROOT } from './project-root.ts';

/** How cdk8s.yaml names the pinned CRD folder; a prefix of every import path. */
export const PINNED_CRD_PREFIX = 'crds/';

/**
 * The folder holding the pinned CRDs (sub-folders such as capi-v1.10.9/).
 * The project carries its own copy in crds/ (see crds/SOURCES.md for the
 * upstream repository, tag and path of each file), so a fresh clone needs
 * nothing beside it. CLUSTER_STACK_CRDS points at another folder with the
 * same layout, e.g. to try a new pin before copying it in.
 */
export function crdRoot(): string {
  const fromEnv = process.env.CLUSTER_STACK_CRDS;
  return fromEnv && fromEnv.length > 0 ? resolve(fromEnv) : resolve(PROJECT_ROOT, PINNED_CRD_PREFIX);
}
