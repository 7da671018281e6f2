import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '../pipeline/synth.ts';
import { checkUpgrade, formatFindings, type UpgradeCheck, type UpgradePath } from './upgrade-check.ts';
import { sideFromBundle, sideFromFolder, sideFromReleaseFolder, type UpgradeSide } from './upgrade-side.ts';

/**
 * The upgrade paths a real cluster takes to a bundle, per provider and
 * stack: the previous version of the same Kubernetes minor to the new one,
 * and the newest version of the previous minor to the new one.
 */
export function upgradePathsTo(to: UpgradeSide, previousOf: (bundle: string) => UpgradeSide | undefined, newestOf: (bundle: string) => UpgradeSide | undefined): UpgradePath[] {
  const out: UpgradePath[] = [];
  const previous = previousOf(to.bundle);
  if (previous && previous.stackVersion !== to.stackVersion) out.push({ from: previous, to, kind: 'same-minor' });
  const m = /^(\d+)-(\d+)$/.exec(to.minor);
  if (m && Number(m[2]) > 0) {
    const lower = `${to.provider}/${to.stack}/${m[1]}-${Number(m[2]) - 1}`;
    const from = newestOf(lower);
    if (from) out.push({ from, to, kind: 'next-minor' });
  }
  return out;
}

/** A bundle of the release plan, as the new end of its paths. */
export interface PlannedBundle {
  readonly bundle: Bundle;
  /** False when nothing changed: the version was released (and checked) before. */
  readonly isNewVersion: boolean;
}

export interface ReleaseUpgradeOptions {
  /** Project root: dist/<bundle> there is the previous release of each bundle (it follows the version records). */
  readonly root: string;
  /** Release folders (`--from`): a release folder, or a folder of them; they take precedence over dist/. */
  readonly fromReleases?: ReadonlyMap<string, string>;
  /**
   * A bundle synthesized at the versions of its record, by path: a dist/
   * bundle with exactly its bytes is read from the model instead of parsed.
   * @default - dist/ bundles are parsed
   */
  readonly atRecordedVersions?: (bundle: string) => Bundle | undefined;
}

/**
 * Checks every upgrade path into each new version of a release plan. The
 * previous versions are the `--from` release folders, else the bundles in
 * dist/ (which hold the recorded versions until the release replaces them).
 */
export async function checkReleaseUpgrades(bundles: readonly PlannedBundle[], options: ReleaseUpgradeOptions): Promise<UpgradeCheck[]> {
  const previous = new Map<string, UpgradeSide>();
  for (const [bundle, dir] of options.fromReleases ?? []) previous.set(bundle, await sideFromReleaseFolder(dir));
  const previousOf = (bundle: string): UpgradeSide | undefined => {
    const known = previous.get(bundle);
    if (known) return known;
    const dir = join(options.root, 'dist', bundle);
    if (!existsSync(join(dir, 'metadata.yaml'))) return undefined;
    const side = sideFromFolder(bundle, dir, `dist/${bundle}`, options.atRecordedVersions?.(bundle));
    previous.set(bundle, side);
    return side;
  };
  const planned = new Map(bundles.map((b) => [b.bundle.path, b]));
  const sides = new Map<string, UpgradeSide>();
  const plannedSide = (b: PlannedBundle): UpgradeSide => {
    let side = sides.get(b.bundle.path);
    if (!side) {
      side = sideFromBundle(b.bundle, 'this release');
      sides.set(b.bundle.path, side);
    }
    return side;
  };
  const newestOf = (bundle: string): UpgradeSide | undefined => {
    const b = planned.get(bundle);
    return b ? plannedSide(b) : previousOf(bundle);
  };
  const checks: UpgradeCheck[] = [];
  for (const b of bundles) {
    if (!b.isNewVersion) continue;
    for (const path of upgradePathsTo(plannedSide(b), previousOf, newestOf)) checks.push(checkUpgrade(path));
  }
  return checks;
}

/** Why a release that breaks an upgrade path was let through (`--allow-breaking <reason>`). */
export interface AllowedBreaking {
  readonly reason: string;
  /** The findings it was given for, one line each. */
  readonly findings: readonly string[];
}

/**
 * The gate: breaking paths fail the release, unless a reason is given, which
 * then travels with the release (version record, hashes.json, docs).
 */
export function gateUpgrades(checks: readonly UpgradeCheck[], allowBreaking: string | undefined): Map<string, AllowedBreaking> {
  const breaking = checks.filter((c) => c.findings.length > 0);
  if (breaking.length > 0 && allowBreaking === undefined) {
    const lines = breaking.flatMap(formatFindings);
    throw new Error(`${lines.length} upgrade problem(s); fix them, or release with --allow-breaking <reason>:\n  ${lines.join('\n  ')}`);
  }
  const out = new Map<string, AllowedBreaking>();
  if (allowBreaking === undefined) return out;
  if (allowBreaking.trim() === '') throw new Error('--allow-breaking needs a reason');
  for (const c of breaking) {
    const bundle = c.path.to.bundle;
    const seen = out.get(bundle);
    out.set(bundle, { reason: allowBreaking, findings: [...(seen?.findings ?? []), ...formatFindings(c)] });
  }
  return out;
}
