import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordPath } from '../release/version-record.ts';
import { upgradeEffects } from '../release/upgrade-effects.ts';
import type { AllowedBreaking } from '../release/upgrade-paths.ts';
import { upgradePathsTo } from '../release/upgrade-paths.ts';
import { previousFromGit, sideFromBundle, sideFromFolder, type UpgradeSide } from '../release/upgrade-side.ts';
import type { Bundle } from '../pipeline/synth.ts';
import type { UpgradeSectionInput } from './upgrade-section.ts';

function sideOf(b: Bundle): UpgradeSide {
  return sideFromBundle(b, 'docs');
}

/**
 * What the "Upgrades" section of a bundle's page shows: the path from the
 * previous version of the same minor (from git, when there is git) and from
 * the previous minor of the same stack (the bundle beside it), what each
 * does, and a reason recorded by `release --allow-breaking`.
 */
export function upgradeDocs(root: string, bundle: Bundle, all: readonly Bundle[], withGit: boolean): UpgradeSectionInput {
  const to = sideOf(bundle);
  let previous: UpgradeSide | undefined;
  if (withGit) {
    try {
      previous = previousFromGit(root, bundle.path, to.stackVersion);
    } catch {
      previous = undefined; // no git history here: the page shows the other paths
    }
  }
  // A filtered run may not synthesize the previous minor; dist/ holds it at its recorded version.
  const newestOf = (path: string): UpgradeSide | undefined => {
    const b = all.find((x) => x.path === path);
    if (b) return sideOf(b);
    const dir = join(root, 'dist', path);
    return existsSync(join(dir, 'metadata.yaml')) ? sideFromFolder(path, dir, `dist/${path}`) : undefined;
  };
  const paths = upgradePathsTo(to, (path) => (path === bundle.path ? previous : undefined), newestOf).map(upgradeEffects);
  const kubernetes = bundle.model.identity.kubernetes.toVersionTag();
  const record = join(root, recordPath(bundle.identity));
  const allowBreaking = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { allowBreaking?: AllowedBreaking }).allowBreaking : undefined;
  return {
    bundle,
    clusterClassName: bundle.clusterClassName,
    kubernetes,
    ...(previous ? { previousVersion: previous.stackVersion } : {}),
    paths,
    ...(allowBreaking ? { allowBreaking } : {}),
  };
}
