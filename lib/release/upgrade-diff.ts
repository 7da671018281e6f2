import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import type { Bundle } from '../pipeline/synth.ts';
import { upgradeEffects, type UpgradeEffects } from './upgrade-effects.ts';
import { upgradePathsTo } from './upgrade-paths.ts';
import { sideFromBundle, sideFromFolder, sideFromReleaseFolder, type UpgradeSide } from './upgrade-side.ts';

/**
 * The upgrade paths `diff` explains for a bundle of the working tree: from
 * the committed dist/ of the same minor (the recorded version) and from the
 * newest version of the previous minor, to the version the bundle would get.
 */
export function bundleUpgradeEffects(root: string, bundle: Bundle, all: readonly Bundle[], next: ClusterStackVersions): UpgradeEffects[] {
  const dist = (path: string): UpgradeSide | undefined => {
    const dir = join(root, 'dist', path);
    return existsSync(join(dir, 'metadata.yaml')) ? sideFromFolder(path, dir, `dist/${path}`) : undefined;
  };
  const to: UpgradeSide = {
    ...sideFromBundle(bundle, 'working tree'),
    stackVersion: next.clusterStack.toString(),
    addonVersion: next.clusterAddon.toString(),
  };
  const newestOf = (path: string): UpgradeSide | undefined => {
    const b = all.find((x) => x.path === path);
    return b ? sideFromBundle(b, 'working tree') : dist(path);
  };
  return upgradePathsTo(to, dist, newestOf).map(upgradeEffects);
}

/** The upgrade from one release folder to another; undefined for the same version of the same bundle. */
export async function releaseUpgradeEffects(fromDir: string, toDir: string): Promise<UpgradeEffects | undefined> {
  const from = await sideFromReleaseFolder(fromDir);
  const to = await sideFromReleaseFolder(toDir);
  if (from.bundle === to.bundle && from.stackVersion === to.stackVersion) return undefined;
  return upgradeEffects({ from, to, kind: from.bundle === to.bundle ? 'same-minor' : 'next-minor' });
}
