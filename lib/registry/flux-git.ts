import { execFileSync } from 'node:child_process';

/**
 * Flux's provenance annotations from a git checkout, the way flux2's CLI
 * documents them for `flux push artifact`
 * (cmd/flux/push_artifact.go:51-52, 131):
 *
 *     --source="$(git config --get remote.origin.url)"
 *     --revision="$(git branch --show-current)@sha1:$(git rev-parse HEAD)"
 *
 * A detached HEAD gives `sha1:<commit>` (no empty `@` prefix), as Flux writes
 * a Git revision without a reference (fluxcd/pkg/git git.go:97-102). Commits
 * of SHA-256 repositories get `sha256:`.
 */
export function fluxRevision(branch: string | undefined, commit: string): string {
  const algorithm = /^[0-9a-f]{40}$/.test(commit) ? 'sha1' : /^[0-9a-f]{64}$/.test(commit) ? 'sha256' : undefined;
  if (!algorithm) throw new Error(`'${commit}' is not a git commit id`);
  return branch ? `${branch}@${algorithm}:${commit}` : `${algorithm}:${commit}`;
}

/**
 * A remote URL fit for an annotation anyone who can pull may read: user
 * name and password (a token in an https remote) removed. scp-like
 * `git@host:path` remotes are kept as they are (the user there is not a secret).
 */
export function publicSourceUrl(remote: string): string {
  const trimmed = remote.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  try {
    const url = new URL(trimmed);
    if (url.username === '' && url.password === '') return trimmed;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  }
}

/** `source` and `revision` of the git checkout at `dir`, each omitted when git cannot tell. */
export function gitProvenance(dir: string): { source?: string; revision?: string } {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      return undefined;
    }
  };
  const commit = git('rev-parse', '--verify', 'HEAD');
  const branch = git('symbolic-ref', '--quiet', '--short', 'HEAD');
  const remote = git('config', '--get', 'remote.origin.url');
  let revision: string | undefined;
  try {
    revision = commit ? fluxRevision(branch, commit) : undefined;
  } catch {
    revision = undefined;
  }
  return { ...(remote ? { source: publicSourceUrl(remote) } : {}), ...(revision ? { revision } : {}) };
}

/**
 * The paths below `paths` with uncommitted changes (staged, unstaged or
 * untracked) in the git checkout at `dir`, as `git status --porcelain`
 * lists them; empty when clean or when git cannot tell.
 */
export function uncommittedChanges(dir: string, paths: readonly string[]): string[] {
  try {
    const out = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=all', '--', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    return out.split('\n').filter((l) => l.length > 3).map((l) => l.slice(3));
  } catch {
    return [];
  }
}
