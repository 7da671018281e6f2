import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { shippedBundlePaths } from '../../shipped.ts';
import { registerDocsCommand } from '../../../cli/docs.ts';
import { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import type { ClusterStackIdentity } from '../../../constructs/names.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { OUTPUT_MARKER, outputMarker } from '../../../lib/bytes/atomic-write.ts';
import { docsCommand } from '../../../cli/commands/docs.ts';
import { catalogFiles, docsTree, type DocsSource } from '../../../lib/docs/generate.ts';
import { gitHistory, releaseHistory, type GitHistory, type RecordCommit } from '../../../lib/docs/history.ts';
import type { ComponentHashes } from '../../../lib/release/content-hash.ts';
import { recordPath, renderRecord } from '../../../lib/release/version-record.ts';
import { STACKS } from '../../../stacks/index.ts';
import { DOCS, ROOT, shippedSources } from './fixture.ts';

const sources: readonly DocsSource[] = shippedSources();
const tree = docsTree(sources);
const temps: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-test-'));
  temps.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

/** Relative link targets of a generated file, resolved against its folder, without #fragments. */
function localLinks(file: { path: string; content: string | Uint8Array }): string[] {
  const text = String(file.content);
  const hrefs = file.path.endsWith('.html')
    ? [...text.matchAll(/href="([^"]+)"/g)].map((m) => m[1])
    : [...text.replace(/```[\s\S]*?```|`+[^`]*`+/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  return hrefs.filter((h) => !/^[a-z]+:/.test(h) && !h.startsWith('#')).map((h) => posix.normalize(posix.join(posix.dirname(file.path), h.split('#')[0])));
}

describe('docs/ tree', () => {
  it('has a Markdown and an HTML page per stack × minor, and the catalog', () => {
    const pages = shippedBundlePaths().flatMap((p) => [`${p.replace(/\/([0-9]+-[0-9]+)$/, '/$1')}.html`, `${p}.md`]);
    expect(tree.map((f) => f.path)).toEqual(['README.md', 'index.html', ...pages].sort());
  });

  it('is deterministic: two generations, each with its own synthesis and git reads, are byte-identical', () => {
    expect(docsTree(shippedSources())).toEqual(tree);
  });

  it('is fresh: the committed docs/ is exactly what `npm run docs` writes (run it if this fails)', () => {
    if (gitHistory(ROOT)?.shallow) {
      throw new Error('docs/ shows the version history from git, and this clone is shallow: fetch the full history (git fetch --unshallow) to compare');
    }
    expect(existsSync(DOCS), 'docs/ is missing: run `npm run docs`').toBe(true);
    expect(listFiles(DOCS)).toEqual([OUTPUT_MARKER, ...tree.map((f) => f.path)].sort());
    expect(readFileSync(join(DOCS, OUTPUT_MARKER), 'utf8')).toBe(outputMarker('docs'));
    for (const f of tree) expect(readFileSync(join(DOCS, f.path), 'utf8'), `docs/${f.path} is stale`).toBe(f.content);
  });

  it('has no broken relative links, in any page or the catalog', () => {
    const paths = new Set(tree.map((f) => f.path));
    let checked = 0;
    for (const f of tree) {
      for (const target of localLinks(f)) {
        expect(paths.has(target), `${f.path} links to ${target}`).toBe(true);
        checked++;
      }
    }
    // Each page links to the catalog, each catalog to every page (and its history).
    expect(checked).toBeGreaterThanOrEqual(12 + 6 * 2 + 6 * 3);
  });

  it('loads nothing from the network in HTML: no scripts, stylesheets, images or fonts by URL', () => {
    for (const f of tree.filter((x) => x.path.endsWith('.html'))) {
      const html = String(f.content);
      expect(html, f.path).not.toMatch(/<script|<link |<img |<iframe|@import|url\(/i);
    }
  });
});

describe('catalog', () => {
  const [readme, index] = catalogFiles(sources).map((f) => String(f.content));

  it('lists every stack × minor with its ClusterClass, linking to its pages (Markdown; HTML and Markdown)', () => {
    for (const s of sources) {
      expect(readme).toContain(`[\`${s.bundle.clusterClassName}\`](${s.bundle.path}.md)`);
      expect(index).toContain(`<a href="${s.bundle.path}.html"><code>${s.bundle.clusterClassName}</code></a>`);
      expect(index).toContain(`<a href="${s.bundle.path}.md">Markdown</a>`);
    }
    expect(readme.match(/^\| `[a-z][a-z0-9]*\/[a-z][a-z0-9]*` \|/gm)).toHaveLength(sources.length);
  });

  it('has one history row per recorded state of each stack × minor', () => {
    const states = sources.reduce((n, s) => n + s.history.entries.length, 0);
    expect(states).toBeGreaterThanOrEqual(sources.length);
    expect(readme.match(/^\| \[`[a-z]+\/[a-z]+\/1-\d+`\]\([^)]*#version-history\)/gm)).toHaveLength(states);
  });
});

describe('release history', () => {
  const id: ClusterStackIdentity = { provider: 'docker', stack: 'scs', kubernetes: KubernetesVersion.parse('1.34.7') };
  const hashes = (cc: string, kubernetes = '1.34.7'): ComponentHashes => ({ clusterClass: cc, clusterAddon: 'addon-1', nodeImage: 'image-1', kubernetes });
  const record = (stack: string, h: ComponentHashes) =>
    renderRecord({ clusterStack: StackVersion.parse(stack), clusterAddon: StackVersion.parse('v1'), nodeImage: StackVersion.parse('v1') }, h);

  /** A project folder with the given working-tree record, and a fake git history of it (oldest first). */
  function project(current: string | undefined, committed: readonly { hash: string; date: string; text: string }[]): { root: string; git: GitHistory } {
    const root = tempDir();
    if (current !== undefined) {
      const file = join(root, recordPath(id));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, current);
    }
    const commits: RecordCommit[] = committed.map((c) => ({ hash: c.hash, date: c.date, path: recordPath(id) })).reverse();
    return {
      root,
      git: { shallow: false, commits: () => commits, show: (hash) => committed.find((c) => c.hash === hash)?.text },
    };
  }

  it('has one entry, the current one, when the record was committed once and not changed since', () => {
    const text = record('v1', hashes('a'));
    const { root, git } = project(text, [{ hash: 'c1'.padEnd(40, '0'), date: '2026-01-02', text }]);
    const h = releaseHistory(root, id, git);
    expect(h.source).toBe('git');
    expect(h.entries).toEqual([{ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1', hashes: hashes('a'), current: true, changes: ['first release'] }]);
  });

  it('names the changed components of each release; older ones carry their commit, the current one none', () => {
    const v1 = record('v1', hashes('a', '1.34.6'));
    const v2 = record('v2', hashes('b', '1.34.7'));
    const { root, git } = project(v2, [
      { hash: 'c1'.padEnd(40, '0'), date: '2026-01-02', text: v1 },
      { hash: 'c2'.padEnd(40, '0'), date: '2026-02-03', text: v1 }, // touched, same content: not a release
      { hash: 'c3'.padEnd(40, '0'), date: '2026-03-04', text: v2 },
    ]);
    const h = releaseHistory(root, id, git);
    expect(h.entries.map((e) => [e.clusterStack, e.commit?.hash.slice(0, 2), e.commit?.date, e.current, e.changes])).toEqual([
      ['v1', 'c1', '2026-01-02', false, ['first release']],
      ['v2', undefined, undefined, true, ['ClusterClass', 'Kubernetes 1.34.6 → 1.34.7']],
    ]);
  });

  it('shows an uncommitted record as the current entry after the committed ones', () => {
    const v1 = record('v1', hashes('a'));
    const { root, git } = project(record('v2', hashes('b')), [{ hash: 'c1'.padEnd(40, '0'), date: '2026-01-02', text: v1 }]);
    const h = releaseHistory(root, id, git);
    expect(h.entries.map((e) => [e.clusterStack, e.commit?.date, e.current])).toEqual([['v1', '2026-01-02', false], ['v2', undefined, true]]);
  });

  it('says when content changed without a new version', () => {
    const { root, git } = project(record('v1', hashes('b')), [{ hash: 'c1'.padEnd(40, '0'), date: '2026-01-02', text: record('v1', hashes('a')) }]);
    expect(releaseHistory(root, id, git).entries[1].changes).toEqual(['ClusterClass', 'content changed without a new cluster stack version (still v1)']);
  });

  it('shows only the current state without git, and nothing before the first release', () => {
    const { root } = project(record('v3', hashes('a')), []);
    expect(releaseHistory(root, id, undefined)).toEqual({
      source: 'record',
      shallow: false,
      entries: [{ clusterStack: 'v3', clusterAddon: 'v1', nodeImage: 'v1', hashes: hashes('a'), current: true, changes: ['first release'] }],
    });
    expect(releaseHistory(project(undefined, []).root, id, undefined).entries).toEqual([]);
  });

  it('reads the real git history of the shipped records: the last entry of each is the current state', () => {
    for (const s of sources) {
      expect(s.history.source, s.bundle.path).toBe(gitHistory(ROOT) === undefined ? 'record' : 'git');
      const last = s.history.entries.at(-1);
      expect(last?.current, s.bundle.path).toBe(true);
      expect(last?.clusterStack).toBe(s.bundle.versions.clusterStack.toString());
      expect(last?.commit).toBeUndefined();
    }
  });
});

describe('docs command', () => {
  it('replaces the content of an output folder it wrote (marker) with the whole tree', () => {
    const out = join(tempDir(), 'docs');
    mkdirSync(out);
    writeFileSync(join(out, OUTPUT_MARKER), outputMarker('docs'));
    writeFileSync(join(out, 'stale.md'), 'left over');
    const result = docsCommand({ root: ROOT, definitions: STACKS, outDir: out });
    expect(result.catalog).toBe(true);
    expect(listFiles(out)).toEqual([OUTPUT_MARKER, ...tree.map((f) => f.path)].sort());
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(tree.find((f) => f.path === 'index.html')?.content);
  });

  it('with a filter, rewrites only the selected pages and leaves the catalog alone', () => {
    const out = join(tempDir(), 'docs');
    mkdirSync(join(out, 'docker/scs'), { recursive: true });
    writeFileSync(join(out, OUTPUT_MARKER), outputMarker('docs'));
    writeFileSync(join(out, 'README.md'), 'hand-made catalog');
    writeFileSync(join(out, 'docker/scs/1-33.md'), 'old page');
    const result = docsCommand({ root: ROOT, definitions: STACKS, outDir: out, filter: (i) => i.provider === 'docker' && i.kubernetes.minorVersion === '1.34' });
    expect(result).toMatchObject({ pages: 1, catalog: false, files: ['docker/scs/1-34.md', 'docker/scs/1-34.html'] });
    expect(listFiles(out)).toEqual([OUTPUT_MARKER, 'README.md', 'docker/scs/1-33.md', 'docker/scs/1-34.html', 'docker/scs/1-34.md']);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('hand-made catalog');
    expect(readFileSync(join(out, 'docker/scs/1-34.md'), 'utf8')).toBe(tree.find((f) => f.path === 'docker/scs/1-34.md')?.content);
  });

  it('writes nothing in a dry run', () => {
    const out = join(tempDir(), 'docs');
    expect(docsCommand({ root: ROOT, definitions: STACKS, outDir: out, dryRun: true }).files).toHaveLength(tree.length);
    expect(existsSync(out)).toBe(false);
  });
});

describe('cli: registerDocsCommand', () => {
  function cli(): { program: Command; lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    const program = new Command('cluster-stacks').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: (s) => errors.push(s) });
    registerDocsCommand(program, { root: ROOT, definitions: STACKS, out: (l) => lines.push(l) });
    return { program, lines, errors };
  }

  it('adds `docs` with the selection options and --output-dir', async () => {
    const out = join(tempDir(), 'docs');
    const { program, lines } = cli();
    await program.parseAsync(['docs', '--provider', 'openstack', '--kubernetes', '1.33', '--output-dir', out], { from: 'user' });
    expect(listFiles(out)).toEqual([OUTPUT_MARKER, 'openstack/scs/1-33.html', 'openstack/scs/1-33.md']);
    expect(lines).toEqual([expect.stringMatching(/^docs: 1 pages for --provider openstack --kubernetes 1\.33; catalog not rewritten .*, 2 files wrote to /)]);
  });

  it('fails with exit code 2 when the selection matches nothing', async () => {
    const { program, errors } = cli();
    const run = program.parseAsync(['docs', '--provider', 'openstak', '--output-dir', tempDir()], { from: 'user' });
    await expect(run).rejects.toBeInstanceOf(CommanderError);
    await expect(run).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toContain("no stack matches --provider openstak");
  });
});
