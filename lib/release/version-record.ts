import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import yaml from 'js-yaml';
import type { ClusterStackVersions } from '../../constructs/metadata.ts';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';
import { COMPONENTS, type ComponentHashes } from './content-hash.ts';
import type { AllowedBreaking } from './upgrade-paths.ts';
import type { PreviousRelease } from './versioning.ts';

/**
 * The committed version record of one stack × minor:
 * `stacks/<provider>/<stack>/version-record/<major>-<minor>.json`.
 * It holds the current versions and the content hashes they were given for,
 * so the next release can tell what changed.
 */
export interface VersionRecord {
  readonly clusterStack: string;
  readonly clusterAddon: string;
  readonly nodeImage: string;
  readonly hashes: ComponentHashes;
  /** Set when this version was released over a breaking upgrade path (`release --allow-breaking`). */
  readonly allowBreaking?: AllowedBreaking;
}

/** The folder of a stack's records, relative to the project root. */
function recordFolder(id: ClusterStackIdentity): string {
  return join('stacks', id.provider, id.stack, 'version-record');
}

/** The file name of a minor's record in its stack's folder (a minor slug is digits and a dash). */
const recordFile = (id: ClusterStackIdentity): string => `${id.kubernetes.minorSlug}.json`;

/** Path of a record relative to the project root. */
export function recordPath(id: ClusterStackIdentity): string {
  return join(recordFolder(id), recordFile(id));
}

/** The record's JSON text: sorted, stable, one trailing newline. */
export function renderRecord(versions: ClusterStackVersions, hashes: ComponentHashes, allowBreaking?: AllowedBreaking): string {
  const record: VersionRecord = {
    clusterStack: versions.clusterStack.toString(),
    clusterAddon: versions.clusterAddon.toString(),
    nodeImage: versions.nodeImage.toString(),
    hashes: { clusterClass: hashes.clusterClass, clusterAddon: hashes.clusterAddon, nodeImage: hashes.nodeImage, kubernetes: hashes.kubernetes },
    ...(allowBreaking ? { allowBreaking: { reason: allowBreaking.reason, findings: [...allowBreaking.findings] } } : {}),
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

function parseVersion(value: unknown, where: string, field: string): StackVersion {
  if (typeof value !== 'string') throw new Error(`${where}: '${field}' must be a version string, got ${JSON.stringify(value)}`);
  try {
    return StackVersion.parse(value);
  } catch (e) {
    throw new Error(`${where}: '${field}': ${(e as Error).message}`);
  }
}

function parseHashes(value: unknown, where: string): ComponentHashes {
  if (value === null || typeof value !== 'object') throw new Error(`${where}: 'hashes' must be an object`);
  const record = value as Record<string, unknown>;
  const out: Partial<Record<keyof ComponentHashes, string>> = {};
  for (const c of COMPONENTS) {
    const h = record[c];
    if (typeof h !== 'string' || h.length === 0) throw new Error(`${where}: 'hashes.${c}' must be a non-empty string`);
    out[c] = h;
  }
  return out as ComponentHashes;
}

/** Parses a record; every problem names the file and field. */
export function parseRecord(text: string, where: string): PreviousRelease {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${where}: expected a JSON object`);
  const r = data as Record<string, unknown>;
  return {
    versions: {
      clusterStack: parseVersion(r.clusterStack, where, 'clusterStack'),
      clusterAddon: parseVersion(r.clusterAddon, where, 'clusterAddon'),
      nodeImage: parseVersion(r.nodeImage, where, 'nodeImage'),
    },
    hashes: parseHashes(r.hashes, where),
    source: where,
  };
}

/** The committed record of a stack × minor, or undefined before its first release. */
export function readRecord(root: string, id: ClusterStackIdentity): PreviousRelease | undefined {
  return recordAt(join(root, recordPath(id)), id);
}

/** The record of `id` at `path` (where its project keeps it), or undefined when there is none. */
function recordAt(path: string, id: ClusterStackIdentity): PreviousRelease | undefined {
  return existsSync(path) ? parseRecord(readFileSync(path, 'utf8'), recordPath(id)) : undefined;
}

/**
 * readRecord for every bundle of a run, each record read once. A command
 * that asks for all of a large matrix's records (an incremental synth does,
 * for the bundles' input keys, before it knows what changed) would otherwise
 * look for each file on its own: 500 path normalizations and 500 failed
 * lookups for a matrix never released, about 10 ms in a cold process
 * (some 5 ms of an edit's 0.25 s run, measured as whole processes).
 * Here the version-record/ folder of a stack is looked for once, and a
 * record's path is its folder's and the minor's file name, which is what
 * join() would make of them.
 */
export class VersionRecords {
  private readonly records = new Map<string, PreviousRelease | undefined>();
  /** `<provider>/<stack>` → its version-record/ folder, or null when there is none. */
  private readonly folders = new Map<string, string | null>();

  private readonly stacks: string;

  public constructor(root: string) {
    this.stacks = join(root, 'stacks');
  }

  public get(id: ClusterStackIdentity): PreviousRelease | undefined {
    const stack = `${id.provider}/${id.stack}`;
    const name = `${stack}/${id.kubernetes.minorSlug}`;
    if (this.records.has(name)) return this.records.get(name);
    let folder = this.folders.get(stack);
    if (folder === undefined) {
      // recordFolder's path, spelled without normalizing it again for each
      // of a large matrix's stacks: provider and stack are names (no separator).
      const path = `${this.stacks}${sep}${id.provider}${sep}${id.stack}${sep}version-record`;
      folder = existsSync(path) ? path : null;
      this.folders.set(stack, folder);
    }
    const record = folder === null ? undefined : recordAt(`${folder}${sep}${recordFile(id)}`, id);
    this.records.set(name, record);
    return record;
  }
}

/**
 * The previous state from a release folder (ours, or one downloaded from a
 * registry): versions from metadata.yaml, hashes from hashes.json. Lets CI
 * in another repository bump against what was last published.
 */
export function readReleaseFolder(dir: string): PreviousRelease {
  const metadataPath = join(dir, 'metadata.yaml');
  const hashesPath = join(dir, 'hashes.json');
  for (const p of [metadataPath, hashesPath]) {
    if (!existsSync(p)) throw new Error(`${dir}: not a release folder of this generator: ${p} is missing`);
  }
  let metadata: unknown;
  try {
    metadata = yaml.load(readFileSync(metadataPath, 'utf8'));
  } catch (e) {
    throw new Error(`${metadataPath}: not valid YAML: ${(e as Error).message}`);
  }
  const versions = (metadata as { versions?: { clusterStack?: unknown; components?: { clusterAddon?: unknown; nodeImage?: unknown } } } | null)?.versions;
  if (!versions) throw new Error(`${metadataPath}: 'versions' is missing`);
  let hashes: unknown;
  try {
    hashes = JSON.parse(readFileSync(hashesPath, 'utf8'));
  } catch (e) {
    throw new Error(`${hashesPath}: not valid JSON: ${(e as Error).message}`);
  }
  const generatorHashes = (hashes as { generator?: unknown } | null)?.generator;
  return {
    versions: {
      clusterStack: parseVersion(versions.clusterStack, metadataPath, 'versions.clusterStack'),
      clusterAddon: parseVersion(versions.components?.clusterAddon, metadataPath, 'versions.components.clusterAddon'),
      nodeImage: parseVersion(versions.components?.nodeImage, metadataPath, 'versions.components.nodeImage'),
    },
    hashes: parseHashes(generatorHashes, `${hashesPath} generator`),
    source: dir,
  };
}
