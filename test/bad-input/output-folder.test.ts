import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, run } from '../../cli/main.ts';
import { OUTPUT_MARKER, outputMarker, replaceSubtrees, replaceTree } from '../../lib/bytes/atomic-write.ts';
import { pullCommand } from '../../cli/commands/pull.ts';
import { snapshot, snapshotDiff } from './harness.ts';

/**
 * "A command owns only what it writes": every command that writes a tree
 * refuses a folder that is not new, empty or its own output (marker file),
 * names the folder and says what to do, exits non-zero and changes nothing
 * (inodes, modes, folder mtimes and bytes compared by snapshot).
 */

const PROJECT = resolve(import.meta.dirname, '..', '..');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-out-'));
  temps.push(dir);
  return dir;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

/** A folder holding the user's own files. */
function foreignFolder(parent = temp()): string {
  const dir = join(parent, 'mine');
  mkdirSync(join(dir, 'notes'), { recursive: true });
  writeFileSync(join(dir, 'notes', 'todo.txt'), 'keep me\n');
  writeFileSync(join(dir, 'thesis.tex'), '\\documentclass{article}\n');
  return dir;
}

/** A HOME-like folder: dotfiles, an ssh key, a project. */
function homeLike(): string {
  const home = join(temp(), 'home', 'user');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n', { mode: 0o600 });
  writeFileSync(join(home, '.bashrc'), 'export PATH\n');
  mkdirSync(join(home, 'src', 'project'), { recursive: true });
  writeFileSync(join(home, 'src', 'project', 'main.go'), 'package main\n');
  chmodSync(home, 0o750);
  return home;
}

const refusedForeign = (dir: string) => `error: refusing to write into ${dir}: it is not empty and was not written by cluster-stacks (it has no ${OUTPUT_MARKER}); its files would be replaced. Choose a new or empty folder\n`;

/** Runs the command, expects it to fail with `message`, and `watch` to be untouched. */
async function expectRefused(watch: string, argv: string[], message: string, code: number = EXIT.failed): Promise<void> {
  const before = snapshot(watch);
  const r = await cli(...argv);
  expect(r.err).toBe(message);
  expect(r.code).toBe(code);
  expect(snapshotDiff(before, snapshot(watch)), 'a refused command changes nothing').toEqual([]);
}

const COMMANDS: { name: string; argv: (dir: string) => string[] }[] = [
  { name: 'synth', argv: (dir) => ['synth', '--output-dir', dir] },
  { name: 'synth --cluster-api v1beta2', argv: (dir) => ['synth', '--cluster-api', 'v1beta2', '--output-dir', dir] },
  { name: 'docs', argv: (dir) => ['docs', '--output-dir', dir] },
  { name: 'docs (filtered)', argv: (dir) => ['docs', '--provider', 'docker', '--output-dir', dir] },
  { name: 'release', argv: (dir) => ['release', '--mode', 'hash', '--release-dir', dir] },
  { name: 'release (filtered)', argv: (dir) => ['release', '--mode', 'hash', '--provider', 'docker', '--release-dir', dir] },
];

describe('every command that writes a tree refuses a folder that is not its own', () => {
  for (const c of COMMANDS) {
    it(`${c.name}: a folder with the user's files`, async () => {
      const dir = foreignFolder();
      await expectRefused(dir, c.argv(dir), refusedForeign(dir));
    });

    it(`${c.name}: a home-like folder (--output-dir ~)`, async () => {
      const home = homeLike();
      await expectRefused(home, c.argv(home), refusedForeign(home));
    });

    it(`${c.name}: a file where the folder should be`, async () => {
      const parent = temp();
      const file = join(parent, 'out');
      writeFileSync(file, 'a file\n');
      await expectRefused(parent, c.argv(file), `error: cannot write into ${file}: it is a file, not a folder; choose another output folder\n`);
    });

    it(`${c.name}: a symbolic link, even to a folder it wrote`, async () => {
      const parent = temp();
      const real = join(parent, 'real');
      mkdirSync(real);
      writeFileSync(join(real, OUTPUT_MARKER), outputMarker('synth'));
      writeFileSync(join(real, 'x.yaml'), 'x: 1\n');
      const link = join(parent, 'link');
      symlinkSync(real, link, 'dir');
      await expectRefused(parent, c.argv(link), `error: refusing to write into ${link}: it is a symbolic link to ${real}, and links are not followed; pass the folder itself\n`);
    });
  }

  it("synth: the current folder ('.') of a user's project, run as a child process there", () => {
    const dir = foreignFolder();
    const before = snapshot(dir);
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [join(PROJECT, 'bin', 'cluster-stacks.cjs'), 'synth', '--output-dir', '.'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString('utf8');
    }
    expect(stderr).toBe(refusedForeign(dir));
    expect(status).toBe(EXIT.failed);
    expect(snapshotDiff(before, snapshot(dir))).toEqual([]);
  });

  it('synth: a folder holding docs output (another kind)', async () => {
    const dir = join(temp(), 'docs');
    mkdirSync(dir);
    writeFileSync(join(dir, OUTPUT_MARKER), outputMarker('docs'));
    writeFileSync(join(dir, 'README.md'), '# docs\n');
    await expectRefused(dir, ['synth', '--output-dir', dir], `error: refusing to write synth output into ${dir}: its ${OUTPUT_MARKER} says it holds docs output; choose another folder\n`);
  });

  it('synth: a name too long for the file system', async () => {
    const parent = temp();
    const dir = join(parent, 'x'.repeat(300));
    await expectRefused(parent, ['synth', '--output-dir', dir], `error: ${dir}: name too long for the file system ('${'x'.repeat(40)}…' has 300 bytes; most file systems allow 255 per name); choose a shorter folder or name\n`);
  });

  it('release: a --release-dir holding release folders of an older version of the tool (no marker) is refused, not deleted', async () => {
    const dir = join(temp(), 'release');
    mkdirSync(join(dir, 'docker-scs-1-34-v1'), { recursive: true });
    writeFileSync(join(dir, 'docker-scs-1-34-v1', 'SHA256SUMS'), '');
    await expectRefused(dir, ['release', '--mode', 'hash', '--release-dir', dir], refusedForeign(dir));
  });
});

describe('folders it may write', () => {
  it('writes into a new nested folder with the umask mode (not 0700) and a marker, and keeps a folder of its own, with its mode, on the next run', async () => {
    const dir = join(temp(), 'a', 'b', 'out');
    const r = await cli('synth', '--provider', 'docker', '--kubernetes', '1.34', '--output-dir', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    // What mkdir gives under this process's umask (0755 usually), not mkdtemp's 0700.
    const reference = join(temp(), 'reference');
    mkdirSync(reference);
    const expected = statSync(reference).mode & 0o777;
    expect(expected).not.toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(expected);
    expect(statSync(join(dir, 'docker', 'scs', '1-34')).mode & 0o777).toBe(expected);
    expect(readFileSync(join(dir, OUTPUT_MARKER), 'utf8')).toBe(outputMarker('synth'));
    expect(existsSync(join(dir, 'docker', 'scs', '1-34', 'cluster-class.yaml'))).toBe(true);

    chmodSync(dir, 0o750);
    const inode = statSync(dir).ino;
    const again = await cli('synth', '--output-dir', dir);
    expect(again.code).toBe(EXIT.ok);
    expect(statSync(dir).mode & 0o7777, 'the folder keeps its mode').toBe(0o750);
    expect(statSync(dir).ino, 'the folder itself is not replaced').toBe(inode);
    expect(existsSync(join(dir, 'openstack', 'scs', '1-34', 'node-images.yaml'))).toBe(true);
  });

  it('writes into an empty folder, keeping its mode and inode', async () => {
    const dir = join(temp(), 'empty');
    mkdirSync(dir, { mode: 0o711 });
    chmodSync(dir, 0o711);
    const inode = statSync(dir).ino;
    const r = await cli('docs', '--provider', 'docker', '--kubernetes', '1.34', '--output-dir', dir);
    expect(r.code).toBe(EXIT.ok);
    expect(statSync(dir).mode & 0o7777).toBe(0o711);
    expect(statSync(dir).ino).toBe(inode);
    expect(readFileSync(join(dir, OUTPUT_MARKER), 'utf8')).toBe(outputMarker('docs'));
  });

  it('replaceTree leaves no staging or old-content folder behind, and replaces exactly its own content', () => {
    const dir = join(temp(), 'out');
    replaceTree(dir, [{ path: 'a/x.txt', content: '1' }, { path: 'b.txt', content: '2' }], 'synth');
    replaceTree(dir, [{ path: 'c.txt', content: '3' }], 'synth');
    expect(execFileSync('find', ['.', '-mindepth', '1'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['./.cluster-stacks-output', './c.txt']);
  });

  it('a failure while staging removes what it created and changes nothing else', () => {
    const parent = temp();
    const owned = join(parent, 'out');
    replaceTree(owned, [{ path: 'keep.txt', content: 'old' }], 'synth');
    const before = snapshot(parent);
    expect(() => replaceSubtrees(owned, 'synth', [{ path: 'a', files: [{ path: 'ok.txt', content: '1' }] }, { path: 'b', files: [{ path: '../../escape.txt', content: 'x' }] }])).toThrow(`refusing to write '../../escape.txt' outside ${join(owned, 'b')}`);
    expect(() => replaceTree(join(parent, 'new'), [{ path: 'x'.repeat(300), content: '1' }], 'synth')).toThrow(/name too long for the file system/);
    const after = snapshot(parent);
    // Folder mtimes move (staging folders came and went); no entry, inode, mode or byte may.
    expect(snapshotDiff(before, after).filter((d) => !d.endsWith(': folder modified'))).toEqual([]);
  });
});

describe('pull owns only <output-dir>/<tag>/', () => {
  const tag = 'docker-scs-1-34-v1';
  const target = { registry: '127.0.0.1:9', repository: 'cluster-stacks', plainHttp: true };

  it('refuses to replace a <tag>/ folder holding the user\'s files, even with --force, before contacting the registry', async () => {
    const parent = temp();
    const dir = join(parent, tag);
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const before = snapshot(parent);
    await expect(pullCommand({ ...target, tag, outputDir: parent, force: true })).rejects.toThrow(`refusing to replace ${dir} with --force: it is not a release folder as pull writes it (no valid SHA256SUMS); remove it or choose another --output-dir`);
    expect(snapshotDiff(before, snapshot(parent))).toEqual([]);
  });

  it('refuses a <tag>/ release folder with an extra file', async () => {
    const parent = temp();
    const dir = join(parent, tag);
    mkdirSync(dir);
    writeFileSync(join(dir, 'metadata.yaml'), 'x\n');
    writeFileSync(join(dir, 'SHA256SUMS'), `${'0'.repeat(64)}  metadata.yaml\n`);
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    await expect(pullCommand({ ...target, tag, outputDir: parent, force: true })).rejects.toThrow(`(keep.txt is not a file SHA256SUMS lists)`);
    expect(existsSync(join(dir, 'keep.txt'))).toBe(true);
  });

  it('refuses an --output-dir that is a file, and a <tag> that is a symbolic link', async () => {
    const parent = temp();
    const file = join(parent, 'file');
    writeFileSync(file, 'x\n');
    await expect(pullCommand({ ...target, tag, outputDir: file })).rejects.toThrow(`cannot write into ${file}: it is a file, not a folder; choose another --output-dir`);
    symlinkSync(parent, join(parent, tag));
    await expect(pullCommand({ ...target, tag, outputDir: parent, force: true })).rejects.toThrow(`refusing to replace ${join(parent, tag)}: it is a symbolic link`);
  });
});
