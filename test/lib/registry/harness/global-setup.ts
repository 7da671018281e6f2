import { APT_PACKAGES, missingTools } from './registry.ts';

/** Fails the registry suite at once, with the fix, when a tool it needs is missing. */
export default function setup(): void {
  const missing = missingTools();
  if (missing) {
    throw new Error(`the registry tests need ${missing}.\nInstall them with: apt-get update && apt-get install -y ${APT_PACKAGES} openssl`);
  }
}
