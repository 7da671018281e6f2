import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { clusterStackName, type ClusterStackIdentity } from '../../constructs/names.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { bundleHashes, COMPONENTS } from '../../lib/release/content-hash.ts';
import { diffTrees, formatTreeDiff, treeDiffToJson, type JsonValue } from '../../lib/release/object-diff.ts';
import { readReleaseTree, readVerifiedRelease } from '../../lib/release/release-reader.ts';
import { readRecord } from '../../lib/release/version-record.ts';
import { decideVersions, describe } from '../../lib/release/versioning.ts';
import { INITIAL_VERSIONS, synthesize } from '../../lib/pipeline/synth.ts';
import { bundleUpgradeEffects, releaseUpgradeEffects } from '../../lib/release/upgrade-diff.ts';
import { formatEffects } from '../../lib/release/upgrade-effects.ts';

export interface DiffCommandOptions {
  readonly root: string;
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** A release folder to compare from. @default - the committed dist/ at the recorded versions */
  readonly from?: string;
  /** A release folder to compare to (with `from`). @default - a synthesis of the working tree */
  readonly to?: string;
  readonly filter?: (id: ClusterStackIdentity) => boolean;
}

export interface DiffResult {
  readonly text: string;
  readonly json: JsonValue;
}

/**
 * Names carry the stack version (`openstack-scs-1-34-v3-control-plane`);
 * replacing it lets the diff pair an object with its renamed successor.
 */
function versionlessName(name: string): string {
  return name.replace(/^([a-z][a-z0-9]*-[a-z][a-z0-9]*-[0-9]+-[0-9]+)-v[0-9]+(?:-[a-z][a-z0-9]*\.[a-z0-9]+)?(?=-|$)/, '$1-<version>');
}

/**
 * Explains what changed, object by object, and which version each
 * component gets: between two release folders, between a release folder and
 * the working tree, or (default) between the committed dist/ and the working
 * tree, with versions decided against the version records.
 */
export async function diffCommand(options: DiffCommandOptions): Promise<DiffResult> {
  if (options.to && !options.from) throw new Error('--to needs --from: a diff between two release folders');
  if (options.from && options.to) {
    const before = await readReleaseTree(options.from);
    const after = await readReleaseTree(options.to);
    const diff = diffTrees(before, after, { normalizeName: versionlessName });
    const header = `${basename(options.from)} → ${basename(options.to)}`;
    const effects = await releaseUpgradeEffects(options.from, options.to);
    return {
      text: `${header}\n${indent(formatTreeDiff(diff)) || '  no change\n'}${effects ? indent(formatEffects(effects)) : ''}`,
      json: { from: options.from, to: options.to, ...treeDiffToJson(diff), ...(effects ? { upgrade: effects as unknown as JsonValue } : {}) },
    };
  }

  const bundles = synthesize(options.definitions, {
    ...(options.filter ? { filter: options.filter } : {}),
    versionsFor: (id) => readRecord(options.root, id)?.versions ?? INITIAL_VERSIONS,
  });
  // Verified once: SHA256SUMS, hashes.json and the archives against each other.
  const verified = options.from ? await readVerifiedRelease(options.from) : undefined;
  const fromRelease = verified?.previous;
  const sections: string[] = [];
  const json: JsonValue[] = [];
  for (const bundle of bundles) {
    if (fromRelease && !basename(options.from as string).startsWith(`${clusterStackName(bundle.identity)}-`)) continue;
    const previous = fromRelease ?? readRecord(options.root, bundle.identity);
    const current = bundleHashes(bundle);
    const decision = decideVersions(current, previous, { kind: 'stable' });
    const before = verified ? verified.tree : committedBundle(options.root, bundle.path);
    const after = new Map(bundle.files.map((f) => [f.path, f.content]));
    const diff = diffTrees(before, after, { normalizeName: versionlessName });
    const versions = previous
      ? `${describe(previous.versions)} → ${decision.isNewVersion ? describe(decision.versions) : 'unchanged'}`
      : `first release: ${describe(decision.versions)}`;
    const changed = decision.changed.length > 0 ? ` (changed: ${decision.changed.join(', ')})` : '';
    const effects = decision.isNewVersion && !options.from ? bundleUpgradeEffects(options.root, bundle, bundles, decision.versions) : [];
    sections.push(`${bundle.path}: ${versions}${changed}\n${indent(formatTreeDiff(diff)) || (decision.isNewVersion ? '' : '  no change\n')}${effects.map((e) => indent(formatEffects(e))).join('')}`);
    json.push({
      bundle: bundle.path,
      previous: previous ? describe(previous.versions) : null,
      next: describe(decision.versions),
      isNewVersion: decision.isNewVersion,
      changed: [...decision.changed],
      unchangedComponents: COMPONENTS.filter((c) => !decision.changed.includes(c)),
      ...treeDiffToJson(diff),
      upgrades: effects as unknown as JsonValue,
    });
  }
  if (options.from && sections.length === 0) throw new Error(`${options.from}: no shipped stack matches this release folder's name`);
  return { text: sections.join('\n'), json: { bundles: json } };
}

/**
 * A bundle as committed in git (HEAD:dist/<path>), which is what the version
 * record describes; outside a git checkout, dist/ on disk.
 */
function committedBundle(root: string, bundlePath: string): Map<string, string> {
  const prefix = `dist/${bundlePath}/`;
  const tree = new Map<string, string>();
  try {
    const listing = execFileSync('git', ['-C', root, 'ls-tree', '-r', '--name-only', 'HEAD', '--', prefix], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const path of listing.split('\n').filter(Boolean)) {
      tree.set(path.slice(prefix.length), execFileSync('git', ['-C', root, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
    }
    return tree;
  } catch {
    const dir = join(root, prefix);
    if (!existsSync(dir)) return tree;
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else tree.set(relative(dir, p), readFileSync(p, 'utf8'));
      }
    };
    walk(dir);
    return tree;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}
