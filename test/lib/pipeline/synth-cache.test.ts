import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { FileDigests, pathBelow } from '../../../lib/pipeline/file-digests.ts';
import { bundleKeys, folderUnchanged, readSynthCache, stampFolder, stampWrittenFolder, writeSynthCache, type FolderStamps, type SynthCacheEntry } from '../../../lib/pipeline/synth-cache.ts';
import { tempRoot } from '../release/test-stack.ts';

const definition = (provider: string, stack: string, rows: readonly StackVersionsRow[] = [{ kubernetes: '1.34.7' }], build = () => undefined): ClusterStackDefinition<StackVersionsRow> =>
  ({ provider, stack, description: 'test', versions: rows, build }) as unknown as ClusterStackDefinition<StackVersionsRow>;
const V1 = { clusterStack: StackVersion.stable(1), clusterAddon: StackVersion.stable(1), nodeImage: StackVersion.stable(1) };

describe('bundle input keys', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('stacks/docker/a/stack.ts', "export const a = 1;\n");
  write('stacks/docker/b/stack.ts', "import { a } from '../a/stack.ts';\nexport const b = a;\n");
  write('stacks/docker/c/stack.ts', "export const c = 1;\n");
  write('stacks/docker/a/version-record/1-34.json', '{}');
  write('stacks/shared.ts', 'export const s = 1;\n');
  const defs = [definition('docker', 'a'), definition('docker', 'b'), definition('docker', 'c')];
  const keys = (d = defs, versions = V1) => Object.fromEntries(bundleKeys(root, d, () => versions, 'cluster-api=v1beta1').map((k) => [k.path.split('/')[1], k.key]));

  it('change with the stack folder, and with the stack folders it imports', () => {
    const before = keys();
    write('stacks/docker/a/stack.ts', "export const a = 2;\n");
    const after = keys();
    expect(after.a).not.toBe(before.a);
    expect(after.b).not.toBe(before.b);
    expect(after.c).toBe(before.c);
  });

  it('ignore the version records (the versions are a part of the key themselves)', () => {
    const before = keys();
    write('stacks/docker/a/version-record/1-34.json', '{"x":1}');
    expect(keys()).toEqual(before);
    expect(keys(defs, { ...V1, clusterAddon: StackVersion.stable(2) }).a).not.toBe(before.a);
  });

  it('change for every stack with a shared file', () => {
    const before = keys();
    write('stacks/shared.ts', 'export const s = 2;\n');
    const after = keys();
    for (const s of ['a', 'b', 'c']) expect(after[s]).not.toBe(before[s]);
  });

  it('change with the versions row and the build code of the definition', () => {
    const before = keys();
    expect(keys([definition('docker', 'a', [{ kubernetes: '1.34.7', x: 1 } as StackVersionsRow]), ...defs.slice(1)]).a).not.toBe(before.a);
    expect(keys([definition('docker', 'a', undefined, () => 1 as unknown as undefined), ...defs.slice(1)]).a).not.toBe(before.a);
    expect(keys([definition('docker', 'a'), ...defs.slice(1)]).a).toBe(before.a);
  });

  it('change with a field nested in an object that definitions share, for each of them', () => {
    const addons = { cni: { chart: 'cilium', version: '1.16.0' }, list: [1, 'two', null, undefined] };
    const shared = [definition('docker', 'a'), definition('docker', 'c')].map((d) => ({ ...d, addons }));
    const before = keys(shared);
    expect(before.a).not.toBe(before.c);
    expect(keys(shared)).toEqual(before);
    addons.cni.version = '1.16.1';
    const after = keys(shared);
    expect(after.a).not.toBe(before.a);
    expect(after.c).not.toBe(before.c);
    addons.list[3] = 0;
    expect(keys(shared).a).not.toBe(after.a);
  });

  it('tell a string from the same value as a number, and a key order from none', () => {
    const withField = (x: unknown) => keys([{ ...definition('docker', 'a'), x } as ClusterStackDefinition<StackVersionsRow>]).a;
    expect(withField('1')).not.toBe(withField(1));
    expect(withField({ p: 1, q: 2 })).toBe(withField({ q: 2, p: 1 }));
    expect(withField({ p: 1, q: undefined })).toBe(withField({ p: 1 }));
    expect(withField([1, 2])).not.toBe(withField([2, 1]));
  });

  it('give a stack without a folder of its name every stack folder', () => {
    const before = keys([definition('docker', 'clone')]);
    write('stacks/docker/c/stack.ts', "export const c = 3;\n");
    expect(keys([definition('docker', 'clone')]).clone).not.toBe(before.clone);
  });
});

describe('bundle input keys with remembered file digests', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const old = new Date(Date.now() - 60_000);
  const write = (path: string, text: string, mtime = old) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    utimesSync(join(root, path), mtime, mtime);
  };
  write('stacks/docker/a/stack.ts', 'export const a = 1;\n');
  write('constructs/shared.ts', 'export const s = 1;\n');
  const defs = [definition('docker', 'a')];
  const digestsFile = join(root, '.cache', 'synth', 'file-digests.json');
  /** The key of stack a, computed as synth does: digests loaded, used, saved. */
  const key = () => {
    const digests = FileDigests.load(root);
    const [k] = bundleKeys(root, defs, () => V1, 'cluster-api=v1beta1', digests);
    digests.save();
    return k.key;
  };

  it('equal the keys computed from the bytes, and follow an edit of a remembered file', () => {
    const first = key();
    expect(first).toBe(bundleKeys(root, defs, () => V1, 'cluster-api=v1beta1')[0].key);
    const remembered = JSON.parse(readFileSync(digestsFile, 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(remembered.files)).toContain('constructs/shared.ts');
    expect(key()).toBe(first);
    // Same size, another mtime: the stamp no longer matches, the file is read again.
    write('constructs/shared.ts', 'export const s = 2;\n', new Date(Date.now() - 30_000));
    const edited = key();
    expect(edited).not.toBe(first);
    expect(edited).toBe(bundleKeys(root, defs, () => V1, 'cluster-api=v1beta1')[0].key);
  });

  it('never remember a file changed in the last moments, whose stamp a second write in the same tick would not change', () => {
    write('constructs/fresh.ts', 'export const f = 1;\n', new Date());
    key();
    const remembered = JSON.parse(readFileSync(digestsFile, 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(remembered.files)).not.toContain('constructs/fresh.ts');
    expect(Object.keys(remembered.files)).toContain('constructs/shared.ts');
  });

  it('a damaged digests file is ignored', () => {
    const good = key();
    writeFileSync(digestsFile, '{"format":1,"files":');
    expect(key()).toBe(good);
    expect(existsSync(digestsFile)).toBe(true);
  });
});

describe('bundle input keys with the imports of stack files remembered', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let age = 600_000;
  /** Each write older than the last, yet never recent enough to be left unremembered. */
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    const mtime = new Date(Date.now() - (age -= 1_000));
    utimesSync(join(root, path), mtime, mtime);
  };
  const defs = [definition('docker', 'a'), definition('docker', 'b')];
  const digestsFile = join(root, '.cache', 'synth', 'file-digests.json');
  const keyOfA = () => {
    const digests = FileDigests.load(root);
    const keys = bundleKeys(root, defs, () => V1, 'cluster-api=v1beta1', digests);
    digests.save();
    return keys[0].key;
  };
  type Remembered = { files: Record<string, unknown[]> };
  const remembered = (): Remembered => JSON.parse(readFileSync(digestsFile, 'utf8')) as Remembered;

  it('follow an edit that adds an import, and are what the sources give', () => {
    write('stacks/docker/a/stack.ts', 'export const a = 1;\n');
    write('stacks/docker/b/stack.ts', 'export const b = 1;\n');
    keyOfA();
    expect(remembered().files['stacks/docker/a/stack.ts'][4]).toEqual([]);
    write('stacks/docker/a/stack.ts', "import { b } from '../b/stack.ts';\nexport const a = b;\n");
    const importing = keyOfA();
    expect(remembered().files['stacks/docker/a/stack.ts'][4]).toEqual(['docker/b']);
    expect(importing).toBe(bundleKeys(root, defs, () => V1, 'cluster-api=v1beta1')[0].key);
    write('stacks/docker/b/stack.ts', 'export const b = 2;\n');
    expect(keyOfA()).not.toBe(importing);
  });

  it('are taken from the digests file while the file keeps its stamp, without scanning it again', () => {
    write('stacks/docker/a/stack.ts', 'export const a = 1;\n');
    keyOfA();
    // What the file is said to import decides the key: it was not read again.
    const doc = remembered();
    doc.files['stacks/docker/a/stack.ts'][4] = ['docker/b'];
    writeFileSync(digestsFile, JSON.stringify({ ...doc, format: 2 }));
    const before = keyOfA();
    write('stacks/docker/b/stack.ts', 'export const b = 3;\n');
    expect(keyOfA()).not.toBe(before);
  });
});

describe('a path below a root', () => {
  it('is what relative() gives, for paths below the root and any other', () => {
    const cases: [string, string][] = [
      ['/p/root', '/p/root/lib/a.ts'],
      ['/p/root', '/p/root/a'],
      ['/p/root', '/p/rootless/a.ts'],
      ['/p/root', '/p/root'],
      ['/p/root', '/p/other/a.ts'],
      ['/', '/a/b'],
      ['p/root', '/p/root/a'],
    ];
    for (const [root, path] of cases) expect(pathBelow(root, path), `${root} ${path}`).toBe(relative(root, path));
  });
});

describe('a bundle folder\'s stamps', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'bundle');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('tell a folder left alone from one where a file was added, removed or changed at any depth', () => {
    write('a.yaml', 'a: 1\n');
    write('sub/deeper/b.yaml', 'b: 1\n');
    const first = stampFolder(dir);
    expect(first.dirs).toEqual(['', 'sub', 'sub/deeper']);
    expect(first.paths).toEqual(['a.yaml', 'sub/deeper/b.yaml']);
    expect(folderUnchanged(dir, first)).toBe(true);
    write('sub/deeper/c.yaml', 'c: 1\n');
    expect(folderUnchanged(dir, first)).toBe(false);
    rmSync(join(dir, 'sub/deeper/c.yaml'));
    const again = stampFolder(dir);
    expect(folderUnchanged(dir, again)).toBe(true);
    rmSync(join(dir, 'sub/deeper/b.yaml'));
    expect(folderUnchanged(dir, again)).toBe(false);
    write('sub/deeper/b.yaml', 'b: 2\n');
    const third = stampFolder(dir);
    write('sub/deeper/b.yaml', 'b: 3\n');
    utimesSync(join(dir, 'sub/deeper/b.yaml'), new Date(1), new Date(1));
    expect(folderUnchanged(dir, third)).toBe(false);
    // A folder replaced by another of the same name (a new inode) is a change.
    const fourth = stampFolder(dir);
    renameSync(join(dir, 'sub'), join(root, 'moved'));
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    renameSync(join(root, 'moved', 'deeper', 'b.yaml'), join(dir, 'sub', 'deeper', 'b.yaml'));
    expect(folderUnchanged(dir, fourth)).toBe(false);
    // Stamps of the earlier formats (a record of files; folders as a record) never match.
    const { paths, stamps, dirs } = stampFolder(dir);
    const list = Array.from(stamps);
    const files = Object.fromEntries(paths.map((p, i) => [p, list.slice(3 * i, 3 * i + 3)]));
    expect(folderUnchanged(dir, { files } as unknown as FolderStamps)).toBe(false);
    expect(folderUnchanged(dir, { files, dirs } as unknown as FolderStamps)).toBe(false);
    const asRecord = Object.fromEntries(dirs.map((d, i) => [d, list.slice(3 * paths.length + 2 * i, 3 * paths.length + 2 * i + 2)]));
    expect(folderUnchanged(dir, { dirs: asRecord, paths, stamps: list.slice(0, 3 * paths.length) } as unknown as FolderStamps)).toBe(false);
    // A damaged cache entry is a changed folder, not an error.
    expect(folderUnchanged(dir, { dirs, paths, stamps: null } as unknown as FolderStamps)).toBe(false);
    expect(folderUnchanged(dir, { dirs, paths, stamps: list.slice(1) })).toBe(false);
    expect(folderUnchanged(dir, { dirs, paths: [...paths].reverse(), stamps })).toBe(false);
    expect(folderUnchanged(dir, { dirs: [...dirs].reverse(), paths, stamps })).toBe(false);
    expect(folderUnchanged(dir, { dirs, paths, stamps })).toBe(true);
    expect(folderUnchanged(dir, { dirs, paths, stamps: new Float64Array(list) })).toBe(true);
  });

  it('of a folder just written are what listing it gives, from the list of files written', () => {
    const fresh = join(root, 'fresh');
    // '-' sorts before '/', and a folder's name may be a prefix of a file's: the orders must still agree.
    const files = ['z.yaml', 'a/b/c.yaml', 'a-b.yaml', 'a/b.yaml', 'a/b-c/d.yaml', 'm/n/o/p.yaml', 'a/a.yaml'];
    for (const f of files) {
      mkdirSync(dirname(join(fresh, f)), { recursive: true });
      writeFileSync(join(fresh, f), f);
    }
    const known = stampWrittenFolder(fresh, files);
    const listed = stampFolder(fresh);
    expect({ ...known, stamps: Array.from(known.stamps) }).toEqual({ ...listed, stamps: Array.from(listed.stamps) });
    expect(known.dirs).toEqual(['', 'a', 'a/b', 'a/b-c', 'm', 'm/n', 'm/n/o']);
    expect(folderUnchanged(fresh, known)).toBe(true);
    // No files: the folder is listed (here: it does not exist, which never counts as unchanged).
    expect(stampWrittenFolder(join(root, 'none'), [])).toEqual(stampFolder(join(root, 'none')));
  });

  it('are read back as written, the bundles of one layout sharing its paths; a damaged entry is left out', () => {
    const cacheRoot = join(root, 'project');
    const out = join(root, 'out');
    const one = stampFolder(dir);
    const entry = (key: string, s: FolderStamps): SynthCacheEntry => ({ key, hashes: { clusterClass: 'a', clusterAddon: 'b', nodeImage: 'c', kubernetes: '1.34.7' }, ...s });
    const written = new Map([['docker/b/1-34', entry('k2', one)], ['docker/a/1-34', entry('k1', one)], ['docker/c/1-34', entry('k3', { paths: ['x.yaml'], dirs: [''], stamps: [1, 2.5, 3, 1796532731347.409, 5] })]]);
    writeSynthCache(cacheRoot, out, written);
    const read = readSynthCache(cacheRoot, out).bundles;
    const plain = (m: ReadonlyMap<string, SynthCacheEntry>) => Object.fromEntries([...m].map(([k, e]) => [k, { ...e, stamps: Array.from(e.stamps) }]));
    expect(plain(read)).toEqual(plain(written));
    expect([...read.keys()]).toEqual(['docker/a/1-34', 'docker/b/1-34', 'docker/c/1-34']);
    expect(read.get('docker/a/1-34')?.paths).toBe(read.get('docker/b/1-34')?.paths);
    expect(read.get('docker/a/1-34')?.dirs).toBe(read.get('docker/b/1-34')?.dirs);
    expect(folderUnchanged(dir, read.get('docker/a/1-34') as FolderStamps)).toBe(true);
    const [file] = readdirSync(join(cacheRoot, '.cache', 'synth')).map((f) => join(cacheRoot, '.cache', 'synth', f));
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('CSSYNTH5');
    const headerEnd = 12 + bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, headerEnd)) as { layouts: unknown[]; bundles: unknown[][] };
    expect(header.layouts).toHaveLength(2);
    // One entry's layout or stamps out of range: that entry alone is left out.
    const rewrite = (edit: (h: typeof header) => void, tail = bytes.subarray(Math.ceil(headerEnd / 8) * 8)) => {
      const h = JSON.parse(bytes.toString('utf8', 12, headerEnd)) as typeof header;
      edit(h);
      const json = Buffer.from(JSON.stringify(h));
      const size = Buffer.alloc(4);
      size.writeUInt32LE(json.length);
      const head = Buffer.concat([bytes.subarray(0, 8), size, json]);
      writeFileSync(file, Buffer.concat([head, Buffer.alloc(Math.ceil(head.length / 8) * 8 - head.length), tail]));
      return [...readSynthCache(cacheRoot, out).bundles.keys()];
    };
    expect(rewrite((h) => void (h.bundles[2][3] = 7))).toEqual(['docker/a/1-34', 'docker/b/1-34']);
    expect(rewrite((h) => void (h.bundles[0][4] = 10_000))).toEqual(['docker/b/1-34', 'docker/c/1-34']);
    expect(rewrite((h) => void (h.bundles[1] = 'x' as unknown as unknown[]))).toEqual(['docker/a/1-34', 'docker/c/1-34']);
    expect(rewrite((h) => void (h.bundles[1][2] = { clusterClass: 'a' }))).toEqual(['docker/a/1-34', 'docker/c/1-34']);
    // Another output folder's cache, another byte order, a cut-off file, another format: nothing.
    expect(rewrite((h) => void ((h as unknown as { outDir: string }).outDir = '/elsewhere'))).toEqual([]);
    expect(rewrite((h) => void ((h as unknown as { endianness: string }).endianness = 'XX'))).toEqual([]);
    expect(rewrite(() => undefined, bytes.subarray(Math.ceil(headerEnd / 8) * 8, bytes.length - 3))).toEqual([]);
    writeFileSync(file, Buffer.concat([Buffer.from('CSSYNTH4'), bytes.subarray(8)]));
    expect(readSynthCache(cacheRoot, out).bundles.size).toBe(0);
    writeFileSync(file, bytes.subarray(0, 10));
    expect(readSynthCache(cacheRoot, out).bundles.size).toBe(0);
    writeFileSync(file, bytes);
    expect(readSynthCache(cacheRoot, out).bundles.size).toBe(3);
  });

  it('carry the output tree\'s stamps as written; a damaged tree is none, the bundles kept', () => {
    const cacheRoot = join(root, 'tree-project');
    const out = join(root, 'tree-out');
    const entry: SynthCacheEntry = { key: 'k', hashes: { clusterClass: 'a', clusterAddon: 'b', nodeImage: 'c', kubernetes: '1.34.7' }, ...stampFolder(dir) };
    const tree = new Map<string, readonly [number, number]>([['', [1796532731347.409, 7]], ['docker', [2.5, 8]], ['docker/a', [3, 9]]]);
    writeSynthCache(cacheRoot, out, new Map([['docker/a/1-34', entry]]), tree);
    expect(readSynthCache(cacheRoot, out).tree).toEqual(tree);
    const [file] = readdirSync(join(cacheRoot, '.cache', 'synth')).map((f) => join(cacheRoot, '.cache', 'synth', f));
    const bytes = readFileSync(file);
    const headerEnd = 12 + bytes.readUInt32LE(8);
    const text = bytes.toString('utf8', 12, headerEnd);
    // The same length, so the stamps after the header stay where they were.
    const damaged = text.replace('["docker",2.5,8]', '["docker","x",8]');
    expect(damaged).not.toBe(text);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, 12), Buffer.from(damaged), bytes.subarray(headerEnd)]));
    const read = readSynthCache(cacheRoot, out);
    expect(read.tree).toBeUndefined();
    expect([...read.bundles.keys()]).toEqual(['docker/a/1-34']);
    writeSynthCache(cacheRoot, out, new Map([['docker/a/1-34', entry]]));
    expect(readSynthCache(cacheRoot, out).tree).toBeUndefined();
  });
});
