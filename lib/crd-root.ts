import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How cdk8s.yaml names the pinned CRD folder; a prefix of every import path. */
export const PINNED_CRD_PREFIX = '../shared/crds/';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The folder holding the pinned CRDs (sub-folders such as capi-v1.10.9/).
 * CLUSTER_STACK_CRDS overrides the default ../shared/crds beside the project,
 * so the CRDs themselves never need to be copied in.
 */
export function crdRoot(): string {
  const fromEnv = process.env.CLUSTER_STACK_CRDS;
  return fromEnv && fromEnv.length > 0 ? resolve(fromEnv) : resolve(projectRoot, PINNED_CRD_PREFIX);
}
