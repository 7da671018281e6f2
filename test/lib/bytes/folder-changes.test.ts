import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceTree, updateOutput, type TreeFile } from '../../../lib/bytes/atomic-write.ts';
import { changedFiles } from '../../../lib/bytes/folder-changes.ts';

const temp = mkdtempSync(join(tmpdir(), 'folder-changes-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(temp, `t${n++}`);

const BUNDLE: readonly TreeFile[] = [
  { path: 'metadata.yaml', content: 'a: 1\n' },
  { path: 'cluster-addon/cni/Chart.yaml', content: 'version: 1\n' },
  { path: 'cluster-addon/cni/values.yaml', content: 'x: 1\n' },
];
/** An output folder holding BUNDLE at b/. */
const output = (): string => {
  const root = fresh();
  replaceTree(root, BUNDLE.map((f) => ({ path: `b/${f.path}`, content: f.content })), 'synth');
  return root;
};
const withContent = (files: readonly TreeFile[], path: string, content: string) => files.map((f) => (f.path === path ? { path, content } : f));
/** Every entry below `dir`, folders with a trailing slash, links not followed. */
const entries = (dir: string, rel = ''): string[] =>
  readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? [`${path}/`, ...entries(dir, path)] : [path];
  }).sort();
const stamp = (p: string) => {
  const s = lstatSync(p);
  return `${s.ino}:${s.mtimeMs}`;
};

describe('changedFiles', () => {
  it('names nothing for a folder holding exactly the files, and only the files whose bytes differ', () => {
    const root = output();
    expect(changedFiles(join(root, 'b'), BUNDLE)).toEqual([]);
    const edited = withContent(withContent(BUNDLE, 'cluster-addon/cni/Chart.yaml', 'version: 2\n'), 'metadata.yaml', 'a: 2\n');
    expect(changedFiles(join(root, 'b'), edited)?.map((f) => f.path)).toEqual(['metadata.yaml', 'cluster-addon/cni/Chart.yaml']);
  });

  it('gives no answer (replace the folder) when the paths differ either way, a folder is extra, an entry is a link, or the folder is gone', () => {
    const root = output();
    const b = join(root, 'b');
    expect(changedFiles(b, BUNDLE.slice(1))).toBeUndefined();
    expect(changedFiles(b, [...BUNDLE, { path: 'new.yaml', content: '' }])).toBeUndefined();
    mkdirSync(join(b, 'empty'));
    expect(changedFiles(b, BUNDLE)).toBeUndefined();
    rmSync(join(b, 'empty'), { recursive: true });
    expect(changedFiles(b, BUNDLE)).toEqual([]);
    rmSync(join(b, 'metadata.yaml'));
    writeFileSync(join(temp, 'outside.yaml'), 'a: 1\n');
    symlinkSync(join(temp, 'outside.yaml'), join(b, 'metadata.yaml'));
    expect(changedFiles(b, BUNDLE)).toBeUndefined();
    expect(changedFiles(join(root, 'gone'), BUNDLE)).toBeUndefined();
  });
});

describe('updateOutput', () => {
  it('replaces only the files given, keeping the inode and mtime of every other file', () => {
    const root = output();
    const before = BUNDLE.map((f) => stamp(join(root, 'b', f.path)));
    updateOutput(root, 'synth', { folders: [], files: [{ path: 'b/cluster-addon/cni/Chart.yaml', content: 'version: 2\n' }] });
    expect(readFileSync(join(root, 'b/cluster-addon/cni/Chart.yaml'), 'utf8')).toBe('version: 2\n');
    const after = BUNDLE.map((f) => stamp(join(root, 'b', f.path)));
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]).not.toBe(before[1]);
    expect(entries(root)).toEqual(['.cluster-stacks-output', 'b/', 'b/cluster-addon/', 'b/cluster-addon/cni/', 'b/cluster-addon/cni/Chart.yaml', 'b/cluster-addon/cni/values.yaml', 'b/metadata.yaml']);
  });

  it('refuses to replace a symbolic link or a missing file, and a file inside a folder it replaces, changing nothing', () => {
    const root = output();
    const outside = join(temp, `outside-${n}.yaml`);
    writeFileSync(outside, 'mine\n');
    rmSync(join(root, 'b/metadata.yaml'));
    symlinkSync(outside, join(root, 'b/metadata.yaml'));
    const listed = entries(root);
    expect(() => updateOutput(root, 'synth', { folders: [], files: [{ path: 'b/metadata.yaml', content: 'a: 2\n' }] })).toThrow(`${join(root, 'b/metadata.yaml')} is not a regular file (a symbolic link); refusing to replace it`);
    expect(() => updateOutput(root, 'synth', { folders: [], files: [{ path: 'b/nope.yaml', content: 'a: 2\n' }] })).toThrow(`${join(root, 'b/nope.yaml')} is gone; refusing to replace it`);
    expect(() => updateOutput(root, 'synth', { folders: [{ path: 'b', files: BUNDLE }], files: [{ path: 'b/cluster-addon/cni/values.yaml', content: 'x: 2\n' }] })).toThrow(/is replaced both by itself and with the folder/);
    expect(readFileSync(outside, 'utf8')).toBe('mine\n');
    expect(entries(root)).toEqual(listed);
  });

  it('a failure while staging a folder removes the files it staged and replaces nothing', () => {
    const root = output();
    const chart = join(root, 'b/cluster-addon/cni/Chart.yaml');
    const before = stamp(chart);
    const listed = entries(root);
    expect(() =>
      updateOutput(root, 'synth', { folders: [{ path: 'c', files: [{ path: `${'x'.repeat(300)}.yaml`, content: '' }] }], files: [{ path: 'b/cluster-addon/cni/Chart.yaml', content: 'version: 2\n' }] }),
    ).toThrow(/name too long/);
    expect(stamp(chart)).toBe(before);
    expect(readFileSync(chart, 'utf8')).toBe('version: 1\n');
    expect(entries(root)).toEqual(listed);
  });
});
