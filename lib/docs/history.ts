import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStackIdentity } from '../../constructs/names.ts';
import type { ComponentHashes } from '../release/content-hash.ts';
import { parseRecord, recordPath } from '../release/version-record.ts';

/** One state of a version record: the versions and the content hashes they were given for. */
export interface RecordState {
  readonly clusterStack: string;
  readonly clusterAddon: string;
  readonly nodeImage: string;
  readonly hashes: ComponentHashes;
}

export interface HistoryEntry extends RecordState {
  /**
   * The commit that recorded this state. Left out for the current state even
   * when it is committed: the docs are generated before that commit exists,
   * and must not change when it is made.
   */
  readonly commit?: { readonly hash: string; readonly date: string };
  readonly current: boolean;
  /** What changed against the previous entry, e.g. `ClusterClass`, `cluster addon v1 → v2`; `first release` for the first. */
  readonly changes: readonly string[];
}

export interface ReleaseHistory {
  /** Oldest first. Empty before the first release. */
  readonly entries: readonly HistoryEntry[];
  /** `git`: from the record's git history and the working tree; `record`: git unavailable, current state only. */
  readonly source: 'git' | 'record';
  /** The repository is a shallow clone: older releases may be missing. */
  readonly shallow: boolean;
}

/** One commit that touched a record file, and the file's path in it (records can be renamed). */
export interface RecordCommit {
  readonly hash: string;
  /** Committer date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly path: string;
}

/** What the history needs from git; replaceable in tests. */
export interface GitHistory {
  /** Commits that touched `path`, newest first, following renames; undefined when git or the repository is unavailable. */
  commits(path: string): readonly RecordCommit[] | undefined;
  /** The file at a commit; undefined when it does not exist there (e.g. a deleting commit). */
  show(hash: string, path: string): string | undefined;
  readonly shallow: boolean;
}

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/**
 * The real git history of the project at `root`. Each state is read whole
 * with `git show <commit>:<path>` rather than reassembled from
 * `git log -p` hunks: a hunk holds only the changed lines and a little
 * context, not the whole record.
 */
export function gitHistory(root: string): GitHistory | undefined {
  const inside = git(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside?.trim() !== 'true') return undefined;
  return {
    shallow: git(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true',
    commits: (path) => {
      const out = git(root, ['log', '--follow', '--format=%x00%H %cs', '--name-only', '--', path]);
      if (out === undefined) return undefined;
      return out.split('\0').filter((chunk) => chunk.trim() !== '').map((chunk) => {
        const [head, ...names] = chunk.split('\n').map((l) => l.trim()).filter((l) => l !== '');
        const [hash, date] = head.split(' ');
        return { hash, date, path: names[0] ?? path };
      });
    },
    show: (hash, path) => git(root, ['show', `${hash}:${path}`]),
  };
}

function stateOf(text: string, where: string): RecordState | undefined {
  try {
    const r = parseRecord(text, where);
    return { clusterStack: r.versions.clusterStack.toString(), clusterAddon: r.versions.clusterAddon.toString(), nodeImage: r.versions.nodeImage.toString(), hashes: r.hashes };
  } catch {
    // A record that a past commit got wrong is not part of the release history.
    return undefined;
  }
}

function sameState(a: RecordState, b: RecordState): boolean {
  return a.clusterStack === b.clusterStack && a.clusterAddon === b.clusterAddon && a.nodeImage === b.nodeImage
    && a.hashes.clusterClass === b.hashes.clusterClass && a.hashes.clusterAddon === b.hashes.clusterAddon
    && a.hashes.nodeImage === b.hashes.nodeImage && a.hashes.kubernetes === b.hashes.kubernetes;
}

/** What changed from one state to the next, in words. */
export function changesBetween(previous: RecordState | undefined, next: RecordState): string[] {
  if (previous === undefined) return ['first release'];
  const out: string[] = [];
  const arrow = (a: string, b: string) => (a === b ? '' : ` ${a} → ${b}`);
  if (previous.hashes.clusterClass !== next.hashes.clusterClass) out.push('ClusterClass');
  if (previous.hashes.clusterAddon !== next.hashes.clusterAddon || previous.clusterAddon !== next.clusterAddon) {
    out.push(`cluster addon${arrow(previous.clusterAddon, next.clusterAddon)}`);
  }
  if (previous.hashes.nodeImage !== next.hashes.nodeImage || previous.nodeImage !== next.nodeImage) {
    out.push(`node image${arrow(previous.nodeImage, next.nodeImage)}`);
  }
  if (previous.hashes.kubernetes !== next.hashes.kubernetes) out.push(`Kubernetes${arrow(previous.hashes.kubernetes, next.hashes.kubernetes)}`);
  if (out.length === 0 && previous.clusterStack !== next.clusterStack) out.push('version only');
  // A record rewritten with new content but the same version: the same name
  // now stands for two different contents, which the reader should see.
  if (out.length > 0 && previous.clusterStack === next.clusterStack) out.push(`content changed without a new cluster stack version (still ${next.clusterStack})`);
  return out;
}

/**
 * The release history of one stack × minor from its version record: every
 * distinct state the record had in git (oldest first), then the state in the
 * working tree. Without git, only the working tree's state.
 */
export function releaseHistory(root: string, id: ClusterStackIdentity, history: GitHistory | undefined): ReleaseHistory {
  const path = recordPath(id);
  const states: { state: RecordState; commit?: RecordCommit }[] = [];
  const commits = history?.commits(path);
  for (const commit of [...(commits ?? [])].reverse()) {
    const text = history?.show(commit.hash, commit.path);
    const state = text === undefined ? undefined : stateOf(text, `${commit.path} at ${commit.hash}`);
    if (state) states.push({ state, commit });
  }
  const file = join(root, path);
  const current = existsSync(file) ? stateOf(readFileSync(file, 'utf8'), path) : undefined;
  if (current) states.push({ state: current });

  const entries: HistoryEntry[] = [];
  let previous: RecordState | undefined;
  for (const [i, s] of states.entries()) {
    const isCurrent = current !== undefined && i === states.length - 1;
    if (previous !== undefined && sameState(previous, s.state)) {
      if (isCurrent) {
        // The working tree holds the last committed state: that entry is the current one.
        const last = entries.pop() as HistoryEntry;
        entries.push({ clusterStack: last.clusterStack, clusterAddon: last.clusterAddon, nodeImage: last.nodeImage, hashes: last.hashes, current: true, changes: last.changes });
      }
      continue;
    }
    entries.push({
      ...s.state,
      ...(s.commit && !isCurrent ? { commit: { hash: s.commit.hash, date: s.commit.date } } : {}),
      current: isCurrent,
      changes: changesBetween(previous, s.state),
    });
    previous = s.state;
  }
  return {
    entries,
    source: commits === undefined ? 'record' : 'git',
    shallow: history?.shallow ?? false,
  };
}
