import type { CrdPin } from './crd-pins.ts';
import type { ReleaseInventory } from './release-inventory.ts';

/** Everything the SBOM and the provenance statement of one published release are made from. */
export interface AttestationContext {
  readonly inventory: ReleaseInventory;
  readonly crds: readonly CrdPin[];
  /** Where the release is published and the manifest digest the statements are about. */
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  /** The manifest's org.opencontainers.image.created (SOURCE_DATE_EPOCH or the epoch): never the clock. */
  readonly created: string;
  /** The manifest's org.opencontainers.image.revision: the source commit. */
  readonly revision?: string;
  /** This generator, e.g. cluster-stacks-cdk8s 0.1.0. */
  readonly tool: { readonly name: string; readonly version: string };
}

/** `https://github.com/<owner>/<name>/blob/<tag>/<path>`: where a pinned CRD came from. */
export function crdSourceUrl(pin: CrdPin): string | undefined {
  return pin.repository && pin.tag && pin.path ? `https://github.com/${pin.repository}/blob/${pin.tag}/${pin.path}` : undefined;
}
