import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import { isOverlay } from '../../constructs/overlay/overlay.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { COMPONENTS, type ComponentHashes } from '../release/content-hash.ts';
import { readRecord } from '../release/version-record.ts';
import { LIBRARY_ROOT } from './conformance.ts';

/** One stack × minor as its version record has it. */
interface RecordedBundle {
  readonly label: string;
  readonly version: string | undefined;
  readonly hashes: ComponentHashes | undefined;
}

/** The base package and the version records of every base and overlay bundle, at one moment. */
export interface BaseUpdateState {
  readonly packageName: string;
  readonly packageVersion: string;
  /** Keyed by `<provider>/<stack> <major>.<minor>`. */
  readonly bases: ReadonlyMap<string, RecordedBundle>;
  readonly overlays: ReadonlyMap<string, RecordedBundle>;
}

/**
 * Reads the state from files only (package.json and records of the
 * installed base, the provider's records), so it can be read again after
 * the base was replaced on disk, in a process that still has the old base
 * loaded.
 */
function readUpdateState(root: string, definitions: readonly ClusterStackDefinition<StackVersionsRow>[], libraryRoot = LIBRARY_ROOT): BaseUpdateState {
  const pkg = JSON.parse(readFileSync(join(libraryRoot, 'package.json'), 'utf8')) as { name?: string; version?: string };
  const bases = new Map<string, RecordedBundle>();
  const overlays = new Map<string, RecordedBundle>();
  const recorded = (at: string, id: ClusterStackIdentity): RecordedBundle => {
    const label = `${id.provider}/${id.stack} ${id.kubernetes.minorVersion}`;
    const record = readRecord(at, id);
    return { label, version: record?.versions.clusterStack.toString(), hashes: record?.hashes };
  };
  for (const d of definitions.filter(isOverlay)) {
    for (const row of d.versions) {
      const kubernetes = KubernetesVersion.parse(row.kubernetes);
      const base = recorded(libraryRoot, { provider: d.overlay.base.provider, stack: d.overlay.base.stack, kubernetes });
      const overlay = recorded(root, { provider: d.provider, stack: d.stack, kubernetes });
      bases.set(base.label, base);
      overlays.set(overlay.label, overlay);
    }
  }
  return { packageName: pkg.name ?? 'the base package', packageVersion: pkg.version ?? 'unknown', bases, overlays };
}

export interface BaseUpdateOptions {
  readonly root: string;
  /** The overlays, as loaded before the update (only their names and rows are used afterwards). */
  readonly definitions: readonly ClusterStackDefinition<StackVersionsRow>[];
  /** Moves the repository to the newer base, e.g. `npm install --save-exact <package>@<version>`. */
  readonly install: () => void;
  /**
   * Re-synthesizes with the new base in a fresh process (modules cannot be
   * reloaded in this one), runs conformance and releases; `ok` false when
   * any of it failed.
   */
  readonly rebuild: () => { readonly ok: boolean; readonly output: string };
  /** @default LIBRARY_ROOT */
  readonly libraryRoot?: string;
}

export interface BaseUpdateResult {
  readonly ok: boolean;
  /** Markdown for the pull request description. */
  readonly summary: string;
  readonly before: BaseUpdateState;
  readonly after: BaseUpdateState;
}

/**
 * The update flow: remember the records, install the newer base, rebuild
 * (conformance and release run there), and describe what changed in the
 * base and what it did to the provider's bundles.
 */
export function updateBase(options: BaseUpdateOptions): BaseUpdateResult {
  const libraryRoot = options.libraryRoot ?? LIBRARY_ROOT;
  const before = readUpdateState(options.root, options.definitions, libraryRoot);
  options.install();
  const rebuilt = options.rebuild();
  const after = readUpdateState(options.root, options.definitions, libraryRoot);
  return { ok: rebuilt.ok, summary: updateSummary(before, after, rebuilt), before, after };
}

/** The pull request description of a base update. */
function updateSummary(before: BaseUpdateState, after: BaseUpdateState, rebuilt: { readonly ok: boolean; readonly output: string }): string {
  const changed = (a: RecordedBundle | undefined, b: RecordedBundle | undefined): string => {
    if (!a?.hashes || !b?.hashes) return b?.hashes ? 'first release' : 'not released';
    const parts = COMPONENTS.filter((c) => a.hashes![c] !== b.hashes![c]);
    return parts.length > 0 ? parts.join(', ') : 'nothing';
  };
  const table = (header: string, rows: readonly string[][]) => [`| ${header} | before | after | changed |`, '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];
  const rows = (b: ReadonlyMap<string, RecordedBundle>, a: ReadonlyMap<string, RecordedBundle>) =>
    [...new Set([...b.keys(), ...a.keys()])].sort().map((k) => [k, b.get(k)?.version ?? '–', a.get(k)?.version ?? '–', changed(b.get(k), a.get(k))]);
  const lines = [
    `## Update ${after.packageName} ${before.packageVersion} → ${after.packageVersion}`,
    '',
    rebuilt.ok ? 'Conformance passed and the changed bundles were released (see below).' : '**The update does not build: conformance or release failed (see below). Do not merge.**',
    '',
    '### What changed in the base',
    '',
    ...table('base bundle', rows(before.bases, after.bases)),
    '',
    '### What it does to our bundles',
    '',
    ...table('bundle', rows(before.overlays, after.overlays)),
    '',
    '### Conformance and release',
    '',
    '```',
    rebuilt.output.trimEnd(),
    '```',
    '',
  ];
  return lines.join('\n');
}

/**
 * Runs `<script> <args>` with this Node and its loader flags (tsx) in a new
 * process, for {@link BaseUpdateOptions.rebuild}: the new base is only seen
 * by a process that has not loaded the old one.
 */
export function rebuildWith(root: string, script: string, args: readonly string[]): { ok: boolean; output: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, script, ...args], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}` };
}
