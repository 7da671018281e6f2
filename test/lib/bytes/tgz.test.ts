import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { createTgz, createTgzAsync, readTgz, RecentArchives, type TgzEntry } from '../../../lib/bytes/tgz.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const entries: TgzEntry[] = [
  { path: 'cni/Chart.yaml', content: 'apiVersion: v2\nname: cni\nversion: 1.0.0\n' },
  { path: 'cni/values.yaml', content: 'cilium:\n  version: 1.16.0\n' },
  { path: 'csi/templates/storage-class.yaml', content: 'kind: StorageClass\n' },
  { path: 'README.md', content: new Uint8Array([0x68, 0x69, 0x0a]) },
  { path: 'bin/hook.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
];

/** Every header of an uncompressed tar, in archive order, via tar-stream. */
async function headersOf(tar: Uint8Array): Promise<Header[]> {
  const ex = extract();
  ex.end(tar);
  const out: Header[] = [];
  for await (const entry of ex) {
    out.push(entry.header);
    for await (const chunk of entry) void chunk;
  }
  return out;
}

/** What tar-stream's own pack writes for `headers` (the format reference). */
async function tarStreamPack(items: readonly { header: Header; content: Buffer }[]): Promise<Buffer> {
  const p = pack();
  for (const { header, content } of items) {
    if (header.type === 'file') p.entry(header, content);
    else p.entry(header);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) {
    if (!(chunk instanceof Uint8Array)) throw new Error('tar-stream pack gave a non-buffer chunk');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A gzip'd tar written by tar-stream directly, for archives createTgz refuses to write. */
async function handMadeTgz(items: readonly { header: Partial<Header> & { name: string }; content?: string }[]): Promise<Buffer> {
  const p = pack();
  for (const { header, content } of items) {
    if (content === undefined) p.entry(header);
    else p.entry(header, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) {
    if (!(chunk instanceof Uint8Array)) throw new Error('tar-stream pack gave a non-buffer chunk');
    chunks.push(Buffer.from(chunk));
  }
  return gzipSync(Buffer.concat(chunks));
}

describe('createTgz', () => {
  it('gives identical bytes for the same entries in a different order', () => {
    const a = createTgz(entries);
    const b = createTgz([...entries].reverse());
    const c = createTgz([entries[2]!, entries[0]!, entries[4]!, entries[1]!, entries[3]!]);
    expect(sha256(b)).toBe(sha256(a));
    expect(sha256(c)).toBe(sha256(a));
  });

  it('gives a stable sha256 for a small archive across calls', () => {
    const small = [{ path: 'a.txt', content: 'a\n' }];
    expect(sha256(createTgz(small))).toBe(sha256(createTgz(small)));
    // A different content gives a different archive, so the hash is not trivially constant.
    expect(sha256(createTgz([{ path: 'a.txt', content: 'b\n' }]))).not.toBe(sha256(createTgz(small)));
  });

  it('writes a fixed gzip header: magic 1f8b, deflate, no flags, mtime 0, OS unix', () => {
    const gz = createTgz(entries);
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
    expect([...gz.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(gz[9]).toBe(3);
  });

  it('writes sorted entries with explicit parent directories, mtime 0, uid/gid 0, empty owner names', async () => {
    const headers = await headersOf(gunzipSync(createTgz(entries)));
    expect(headers.map((h) => `${h.type} ${h.name} ${h.mode.toString(8)}`)).toEqual([
      'file README.md 644',
      'directory bin/ 755',
      'file bin/hook.sh 755',
      'directory cni/ 755',
      'file cni/Chart.yaml 644',
      'file cni/values.yaml 644',
      'directory csi/ 755',
      'directory csi/templates/ 755',
      'file csi/templates/storage-class.yaml 644',
    ]);
    for (const h of headers) {
      expect(h.mtime.getTime()).toBe(0);
      expect(h.uid).toBe(0);
      expect(h.gid).toBe(0);
      expect(h.uname).toBe('');
      expect(h.gname).toBe('');
      expect(h.pax ?? null).toBeNull();
    }
  });

  it('writes exactly the bytes tar-stream pack writes for the same headers', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.yaml`; // needs the ustar prefix field
    const input = [...entries, { path: long, content: 'x'.repeat(513) }, { path: 'empty', content: '' }];
    const ours = gunzipSync(createTgz(input));
    const headers = await headersOf(ours);
    const files = await readTgz(createTgz(input), 'test');
    const reference = await tarStreamPack(
      headers.map((h) => ({
        header: { name: h.name, type: h.type, mode: h.mode, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) } as Header,
        content: files.get(h.name) ?? Buffer.alloc(0),
      })),
    );
    expect(sha256(ours)).toBe(sha256(reference));
    expect(headers.map((h) => h.name)).toContain(long);
  });

  it('holds text as UTF-8, its size in bytes, and content of exactly a block unpadded', async () => {
    const text: TgzEntry[] = [
      { path: 'notes/utf8.txt', content: 'Grüße, ✓ and 🚀\n' },
      { path: 'notes/block.txt', content: 'x'.repeat(512) },
    ];
    const tar = gunzipSync(createTgz(text));
    // The header of 'notes/'; of block.txt and its one block; of utf8.txt and its padded block; the two-block end.
    expect(tar.length).toBe(512 * 7);
    const files = await readTgz(createTgz(text), 'utf8.tgz');
    expect(files.get('notes/utf8.txt')?.toString('utf8')).toBe('Grüße, ✓ and 🚀\n');
    expect(files.get('notes/utf8.txt')?.length).toBe(Buffer.byteLength('Grüße, ✓ and 🚀\n'));
    expect(files.get('notes/block.txt')?.toString('utf8')).toBe('x'.repeat(512));
  });

  it('round-trips through readTgz', async () => {
    const files = await readTgz(createTgz(entries), 'round-trip.tgz');
    expect([...files.keys()].sort()).toEqual(entries.map((e) => e.path).sort());
    for (const e of entries) {
      const expected = typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content);
      expect(files.get(e.path)?.equals(expected)).toBe(true);
    }
  });

  const tarVersion = spawnSync('tar', ['--version'], { encoding: 'utf8' });
  const tarMissing = tarVersion.error !== undefined || tarVersion.status !== 0;
  if (tarMissing) console.log(`skipping the GNU tar listing test: 'tar --version' failed (${tarVersion.error?.message ?? `exit ${String(tarVersion.status)}`})`);
  it.skipIf(tarMissing)('is listed by the system tar without warnings', () => {
    const listing = spawnSync('tar', ['-tzvf', '-'], { input: createTgz(entries), encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
    expect(listing.stderr).toBe('');
    expect(listing.status).toBe(0);
    const lines = listing.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).at(-1))).toEqual([
      'README.md', 'bin/', 'bin/hook.sh', 'cni/', 'cni/Chart.yaml', 'cni/values.yaml', 'csi/', 'csi/templates/', 'csi/templates/storage-class.yaml',
    ]);
    expect(lines[0]).toMatch(/^-rw-r--r-- 0\/0\s+3 1970-01-01 00:00 README\.md$/);
    expect(lines[1]).toMatch(/^drwxr-xr-x 0\/0\s+0 1970-01-01 00:00 bin\/$/);
    expect(lines[2]).toMatch(/^-rwxr-xr-x 0\/0 /);
  });

  it('fails when a path is absolute', () => {
    expect(() => createTgz([{ path: '/etc/passwd', content: '' }])).toThrow(/absolute path '\/etc\/passwd'/);
  });

  it('createTgzAsync gives the same bytes, compressed on the thread pool, and rejects what createTgz refuses', async () => {
    // Large, repetitive YAML, like a ClusterClass chart, and the small set above.
    const yamlLike = Array.from({ length: 400 }, (_, i) => `- name: worker-${i % 7}\n  value: '${'x'.repeat(i % 50)}'\n`).join('');
    for (const set of [entries, [{ path: 'chart/templates/cluster-class.yaml', content: yamlLike }]]) {
      expect(sha256(await createTgzAsync(set))).toBe(sha256(createTgz(set)));
    }
    expect(sha256(await createTgzAsync([{ path: 'a.txt', content: 'b\n' }]))).not.toBe(sha256(createTgz([{ path: 'a.txt', content: 'a\n' }])));
    await expect(createTgzAsync([{ path: '/etc/passwd', content: '' }])).rejects.toThrow(/absolute path '\/etc\/passwd'/);
  });

  it('createTgzAsync gives the same bytes compressed on the calling thread', async () => {
    // Content no other test compresses, so no remembered archive answers.
    const set = [{ path: 'chart/templates/cluster-class.yaml', content: Array.from({ length: 300 }, (_, i) => `- calling-thread-${i % 11}: '${'y'.repeat(i % 40)}'\n`).join('') }];
    const once = await createTgzAsync(set, 'calling-thread');
    expect(sha256(once)).toBe(sha256(createTgz(set)));
    expect(sha256(await createTgzAsync(set, 'thread-pool'))).toBe(sha256(once));
    await expect(createTgzAsync([{ path: 'a/../b', content: '' }], 'calling-thread')).rejects.toThrow(/'a\/\.\.\/b' has a '\.\.' segment/);
  });

  it('fails when a path has a .. segment', () => {
    expect(() => createTgz([{ path: 'a/../../evil', content: '' }])).toThrow(/'a\/\.\.\/\.\.\/evil' has a '\.\.' segment/);
  });

  it('fails when a path is not canonical', () => {
    expect(() => createTgz([{ path: './a', content: '' }])).toThrow(/'\.\/a' is not canonical/);
    expect(() => createTgz([{ path: 'a//b', content: '' }])).toThrow(/'a\/\/b' is not canonical/);
    expect(() => createTgz([{ path: 'a/', content: '' }])).toThrow(/'a\/' is not canonical/);
  });

  it('fails when a path occurs twice', () => {
    expect(() => createTgz([{ path: 'a/b', content: '1' }, { path: 'a/b', content: '2' }])).toThrow(/duplicate path 'a\/b'/);
  });

  it('fails when a file is also the directory of another file', () => {
    expect(() => createTgz([{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }])).toThrow(/'a' is both a file and the directory of 'a\/b'/);
  });

  it('fails when a path is too long for ustar', () => {
    const noSplit = 'x'.repeat(101);
    expect(() => createTgz([{ path: noSplit, content: '' }])).toThrow(new RegExp(`path '${noSplit}' is too long`));
    const longPrefix = `${'p'.repeat(160)}/file`;
    expect(() => createTgz([{ path: longPrefix, content: '' }])).toThrow(/directory '.*' of '.*' is too long/);
  });

  it('fails when a path is not ASCII', () => {
    expect(() => createTgz([{ path: 'grüße.txt', content: '' }])).toThrow(/'grüße\.txt' has non-ASCII/);
  });

  it('fails when a mode is not permission bits', () => {
    expect(() => createTgz([{ path: 'a', content: '', mode: 0o100644 }])).toThrow(/'a' has mode 33188/);
  });
});

/**
 * A ClusterClass-like chart of some 16 KB of YAML: repetitive enough that
 * level-9 deflate's match finder, and with it the hash it uses, decides the
 * bytes.
 */
function chartLike(): TgzEntry[] {
  const lines = ['apiVersion: cluster.x-k8s.io/v1beta1', 'kind: ClusterClass', 'metadata:', '  name: docker-scs-1-34-v1', 'spec:', '  variables:'];
  for (let i = 0; i < 60; i++) {
    const integer = i % 7 === 0;
    lines.push(
      `    - name: variable${i}`,
      '      required: false',
      '      schema:',
      '        openAPIV3Schema:',
      `          description: Setting number ${i} of the cluster, ${integer ? 'an integer' : 'a string'}.`,
      `          type: ${integer ? 'integer' : 'string'}`,
      `          default: ${integer ? i * 3 : `"value-${i}"`}`,
    );
  }
  return [
    { path: 'docker-scs-1-34-cluster-class/Chart.yaml', content: 'apiVersion: v2\nname: docker-scs-1-34-cluster-class\nversion: v1\n' },
    { path: 'docker-scs-1-34-cluster-class/templates/cluster-class.yaml', content: `${lines.join('\n')}\n` },
  ];
}

describe('the bytes releases were made with', () => {
  // Recorded with Node.js 20's zlib (Chromium's) on a CPU with a CRC32C
  // instruction; Node.js 22.23 and 24.22 (zlib 1.3.2.1) give the same bytes
  // there. Canonical zlib (Debian's 1.2.13, Rabin-Karp hash) gives b61a93e0…
  // for the same tar: same length, other bytes.
  const TAR = '3d68a2a610ed256c07ada303f5048a4d8ae215577b0cc4218ccc90d508299318';
  const TGZ = '6501bc66ef254245af6bb3c7b51a82ec6f104d0eb9b29ac27cfc0a828d007738';

  it('pins the tar and the deflated bytes of a cluster-class chart, so a Node.js or CPU that compresses otherwise fails here before it rebuilds a release with other bytes', () => {
    const tgz = createTgz(chartLike());
    const tar = gunzipSync(tgz);
    expect(sha256(tar), 'the tar writer changed: every archive of every release changes').toBe(TAR);
    expect(
      sha256(tgz),
      "this Node.js's zlib deflates otherwise (another zlib, or a CPU without SSE4.2+PCLMUL or ARMv8 CRC32): releases rebuilt here get other archive bytes, which publish takes for a conflict and verify rejects (README, \"Releases the Cluster Stack Operator consumes\")",
    ).toBe(TGZ);
  });

  it('fails for another deflate of the same tar (level 6 here), so the pin can catch one', () => {
    const tar = gunzipSync(createTgz(chartLike()));
    expect(sha256(gzipSync(tar, { level: 6 }))).not.toBe(TGZ);
  });
});

describe('archives compressed again (createTgzAsync, RecentArchives)', () => {
  const tar = (text: string) => Buffer.from(text.padEnd(1024, '\0'));
  const gz = (text: string) => Promise.resolve(Buffer.from(text));

  it('give every caller the bytes of a fresh compression, in a Buffer of its own', async () => {
    const entries: TgzEntry[] = [{ path: 'addon/Chart.yaml', content: 'name: addon\n' }, { path: 'addon/values.yaml', content: 'a: 1\n' }];
    const first = await createTgzAsync(entries);
    first.fill(0);
    const again = await createTgzAsync([...entries].reverse());
    expect(again).toEqual(createTgz(entries));
    expect(await createTgzAsync(entries)).toEqual(again);
  });

  it('are found by their whole tar, not by its length', () => {
    const recent = new RecentArchives(8, 1 << 20);
    const a = gz('a');
    recent.add(tar('one'), a);
    expect(recent.find(tar('one'))).toBe(a);
    expect(recent.find(tar('two'))).toBeUndefined();
  });

  it('tell apart archives of the same length and first header, and texts of the same count, length and first path', () => {
    const recent = new RecentArchives(8, 1 << 20);
    const header = 'h'.repeat(100);
    const [a, b] = [gz('a'), gz('b')];
    recent.add(tar(`${header}one`), a);
    recent.add(tar(`${header}two`), b);
    expect(recent.find(tar(`${header}two`))).toBe(b);
    expect(recent.find(tar(`${header}one`))).toBe(a);
    expect(recent.find(tar(`${header}six`))).toBeUndefined();
    const text = (content: string): TgzEntry[] => [{ path: 'a/Chart.yaml', content: 'name: a\n' }, { path: 'a/values.yaml', content }];
    const [c, d] = [gz('c'), gz('d')];
    recent.add(tar('three'), c, text('x: 1\n'));
    recent.add(tar('four'), d, text('x: 2\n'));
    expect(recent.findText(text('x: 2\n'))).toBe(d);
    expect(recent.findText(text('x: 1\n'))).toBe(c);
    expect(recent.findText(text('x: 3\n'))).toBeUndefined();
    // Forgotten, an archive is found neither way; the others of its key still are.
    const small = new RecentArchives(1, 1 << 20);
    small.add(tar(`${header}one`), a, text('x: 1\n'));
    small.add(tar(`${header}two`), b, text('x: 2\n'));
    expect(small.find(tar(`${header}one`))).toBeUndefined();
    expect(small.findText(text('x: 1\n'))).toBeUndefined();
    expect(small.find(tar(`${header}two`))).toBe(b);
    expect(small.findText(text('x: 2\n'))).toBe(b);
  });

  it('are forgotten oldest first beyond the count or the bytes, a match counting as new', () => {
    const recent = new RecentArchives(2, 1 << 20);
    recent.add(tar('one'), gz('1'));
    recent.add(tar('two'), gz('2'));
    expect(recent.find(tar('one'))).toBeDefined();
    recent.add(tar('three'), gz('3'));
    expect(recent.find(tar('two'))).toBeUndefined();
    expect(recent.find(tar('one'))).toBeDefined();
    const small = new RecentArchives(8, 2 * 1024);
    small.add(tar('one'), gz('1'));
    small.add(tar('two'), gz('2'));
    small.add(tar('three'), gz('3'));
    expect(small.find(tar('one'))).toBeUndefined();
    expect(small.find(tar('two'))).toBeDefined();
    expect(small.find(tar('three'))).toBeDefined();
  });

  it('are found by their texts in the order given, never by bytes, and a change of path, mode or text misses', () => {
    const recent = new RecentArchives(8, 1 << 20);
    const entries: TgzEntry[] = [{ path: 'a/Chart.yaml', content: 'name: a\n' }, { path: 'a/values.yaml', content: 'x: 1\n', mode: 0o644 }];
    const a = gz('a');
    const given = [...entries];
    recent.add(tar('one'), a, given);
    // The caller's array may be reused: what was remembered is the list at the time.
    given.pop();
    expect(recent.findText(given)).toBeUndefined();
    expect(recent.findText([{ path: 'a/Chart.yaml', content: 'name: ' + 'a\n' }, { path: 'a/values.yaml', content: 'x: 1\n' }])).toBe(a);
    expect(recent.findText([...entries].reverse())).toBeUndefined();
    expect(recent.findText([entries[0]!, { ...entries[1]!, content: 'x: 2\n' }])).toBeUndefined();
    expect(recent.findText([entries[0]!, { ...entries[1]!, path: 'a/values.yml' }])).toBeUndefined();
    expect(recent.findText([entries[0]!, { ...entries[1]!, mode: 0o755 }])).toBeUndefined();
    // Bytes may change after the call; an archive holding any is only found by its tar.
    const bytes: TgzEntry[] = [entries[0]!, { path: 'a/values.yaml', content: Buffer.from('x: 1\n') }];
    const b = gz('b');
    recent.add(tar('two'), b, bytes);
    expect(recent.findText(bytes)).toBeUndefined();
    expect(recent.find(tar('two'))).toBe(b);
  });

  it('count the texts they hold against their bytes', () => {
    const recent = new RecentArchives(8, 2200);
    const text = (n: number): TgzEntry[] => [{ path: 'a', content: 'x'.repeat(n) }];
    recent.add(tar('one'), gz('1'), text(100));
    expect(recent.findText(text(100))).toBeDefined();
    // Two tars of 1024 bytes fit, but not with 402 bytes of text beside them: the first goes.
    recent.add(tar('two'), gz('2'), text(300));
    expect(recent.findText(text(100))).toBeUndefined();
    expect(recent.findText(text(300))).toBeDefined();
  });

  it('give the bytes of the archive of the texts asked for, whatever was compressed before', async () => {
    const entries = (text: string): TgzEntry[] => [{ path: 'addon/Chart.yaml', content: 'name: addon\n' }, { path: 'addon/values.yaml', content: text }];
    const first = await createTgzAsync(entries('a: 1\n'));
    expect(await createTgzAsync(entries('a: 1\n'))).toEqual(first);
    const changed = await createTgzAsync(entries('a: 2\n'));
    expect(changed).toEqual(createTgz(entries('a: 2\n')));
    expect(changed).not.toEqual(first);
    expect(await createTgzAsync([{ ...entries('a: 1\n')[0]!, mode: 0o600 }, entries('a: 1\n')[1]!])).toEqual(createTgz([{ ...entries('a: 1\n')[0]!, mode: 0o600 }, entries('a: 1\n')[1]!]));
  });

  it('do not remember a compression that failed', async () => {
    const recent = new RecentArchives(8, 1 << 20);
    const failed = Promise.reject(new Error('zlib failed'));
    recent.add(tar('one'), failed);
    await expect(failed).rejects.toThrow('zlib failed');
    await Promise.resolve();
    expect(recent.find(tar('one'))).toBeUndefined();
  });
});

describe('readTgz', () => {
  it('reads archives written by GNU tar-style tools with a ./ prefix', async () => {
    const tgz = await handMadeTgz([
      { header: { name: './', type: 'directory' } },
      { header: { name: './dir/', type: 'directory' } },
      { header: { name: './dir/a.yaml', type: 'file' }, content: 'a: 1\n' },
    ]);
    const files = await readTgz(tgz, 'dot.tgz');
    expect([...files.entries()].map(([k, v]) => [k, v.toString()])).toEqual([['dir/a.yaml', 'a: 1\n']]);
  });

  it('fails when the archive is truncated', async () => {
    const tgz = createTgz(entries);
    await expect(readTgz(tgz.subarray(0, tgz.length - 20), 'cut.tgz')).rejects.toThrow(/^cut\.tgz: truncated archive/);
  });

  it('fails when the tar inside is cut off between two entries', async () => {
    const tar = gunzipSync(createTgz(entries));
    const cut = gzipSync(tar.subarray(0, 512 + 512)); // README.md's header and data block, no end marker
    await expect(readTgz(cut, 'cut-tar.tgz')).rejects.toThrow(/^cut-tar\.tgz: truncated tar archive \(the end-of-archive marker is missing/);
  });

  it('fails when the tar inside ends inside an entry', async () => {
    const tar = gunzipSync(createTgz(entries));
    const cut = gzipSync(tar.subarray(0, 700));
    await expect(readTgz(cut, 'cut-entry.tgz')).rejects.toThrow(/^cut-entry\.tgz: truncated tar archive/);
  });

  it('fails when a byte in the middle is flipped (gzip CRC error)', async () => {
    // Incompressible content makes deflate store it verbatim, so the flipped
    // byte changes the data, not the deflate structure: only the CRC notices.
    let block = createHash('sha256').update('seed').digest();
    const random: Buffer[] = [];
    for (let i = 0; i < 256; i++) {
      random.push(block);
      block = createHash('sha256').update(block).digest();
    }
    const tgz = createTgz([{ path: 'random.bin', content: Buffer.concat(random) }]);
    const broken = Buffer.from(tgz);
    const middle = Math.floor(broken.length / 2);
    broken[middle] = (broken[middle] ?? 0) ^ 0xff;
    await expect(readTgz(broken, 'flipped.tgz')).rejects.toThrow('flipped.tgz: corrupted gzip data (CRC-32 checksum mismatch)');
  });

  it('fails when the input is plain text', async () => {
    await expect(readTgz(Buffer.from('apiVersion: v1\nkind: ConfigMap\n'), 'plain.yaml')).rejects.toThrow(/^plain\.yaml: not a gzip archive/);
  });

  it('fails when gzip holds something that is not a tar', async () => {
    await expect(readTgz(gzipSync('x'.repeat(2000)), 'text.gz')).rejects.toThrow(/^text\.gz: corrupted tar archive: Invalid tar header/);
  });

  it("fails when an entry is '../evil'", async () => {
    const tgz = await handMadeTgz([{ header: { name: '../evil', type: 'file' }, content: 'boom' }]);
    await expect(readTgz(tgz, 'evil.tgz')).rejects.toThrow("evil.tgz: entry '../evil' escapes the archive ('..' segment)");
  });

  it('fails when an entry has an absolute path', async () => {
    const tgz = await handMadeTgz([{ header: { name: '/etc/cron.d/evil', type: 'file' }, content: 'boom' }]);
    await expect(readTgz(tgz, 'abs.tgz')).rejects.toThrow("abs.tgz: entry '/etc/cron.d/evil' escapes the archive (absolute path or backslash)");
  });

  it('fails when an entry is a symbolic or hard link', async () => {
    const sym = await handMadeTgz([{ header: { name: 'link', type: 'symlink', linkname: '/etc/passwd' } }]);
    await expect(readTgz(sym, 'sym.tgz')).rejects.toThrow("sym.tgz: entry 'link' is a symbolic link");
    const hard = await handMadeTgz([{ header: { name: 'link', type: 'link', linkname: 'other' } }]);
    await expect(readTgz(hard, 'hard.tgz')).rejects.toThrow("hard.tgz: entry 'link' is a hard link");
  });

  it('fails when an entry occurs twice', async () => {
    const tgz = await handMadeTgz([
      { header: { name: 'a.yaml', type: 'file' }, content: '1' },
      { header: { name: './a.yaml', type: 'file' }, content: '2' },
    ]);
    await expect(readTgz(tgz, 'dup.tgz')).rejects.toThrow("dup.tgz: duplicate entry 'a.yaml'");
  });
});

describe('readTgz limits (archive bombs)', () => {
  /**
   * A gzip stream of `mib` MiB of zeros, built from concatenated gzip
   * members of 1 MiB each (gunzip reads them as one stream): about 1 KiB per
   * MiB, so the test generates a GiB-sized bomb without compressing a GiB.
   */
  function zeroBomb(mib: number, first: Buffer = Buffer.alloc(0)): Buffer {
    const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    return Buffer.concat([gzipSync(first), ...Array.from({ length: mib }, () => member)]);
  }

  /** A ustar header for one file of `size` bytes, its data not included. */
  function fileHeader(name: string, size: number): Buffer {
    const header = Buffer.alloc(512);
    header.write(name, 0, 'ascii');
    header.write('0000644 ', 100, 'ascii');
    header.write('0000000 ', 108, 'ascii');
    header.write('0000000 ', 116, 'ascii');
    header.write(`${size.toString(8).padStart(11, '0')} `, 124, 'ascii');
    header.write('00000000000 ', 136, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\x0000', 257, 'ascii');
    let sum = 8 * 0x20;
    for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += header[i] ?? 0;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    return header;
  }

  it('refuses a 2 MiB archive that unpacks to 1 GiB, at the gunzip limit (100 MiB), naming it', async () => {
    const bomb = zeroBomb(1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    await expect(readTgz(bomb, 'bomb.tgz')).rejects.toThrow('bomb.tgz: unpacks to more than 100 MiB; refusing to unpack it');
  });

  it('refuses an entry larger than 5 MiB from its header, before collecting its data', async () => {
    const archive = zeroBomb(7, fileHeader('big.bin', 7 * 1024 * 1024));
    await expect(readTgz(archive, 'big.tgz')).rejects.toThrow("big.tgz: entry 'big.bin' is 7340032 bytes, more than the 5 MiB a single file may have; refusing to unpack it");
  });

  it('refuses more entries than the limit', async () => {
    const archive = createTgz(Array.from({ length: 20 }, (_, i) => ({ path: `f${i}.txt`, content: 'x' })));
    await expect(readTgz(archive, 'many.tgz', { maxUnpackedBytes: 1024 * 1024, maxEntries: 10, maxEntryBytes: 1024 })).rejects.toThrow('many.tgz: more than 10 entries; refusing to unpack it');
    await expect(readTgz(archive, 'many.tgz', { maxUnpackedBytes: 1024 * 1024, maxEntries: 20, maxEntryBytes: 1024 })).resolves.toHaveProperty('size', 20);
  });

  it('refuses files that together pass the unpacked limit', async () => {
    const archive = createTgz(Array.from({ length: 4 }, (_, i) => ({ path: `f${i}.bin`, content: Buffer.alloc(3000) })));
    // 12000 bytes of files; the tar stream around them is larger still, so gunzip's bound and the sum of sizes agree.
    await expect(readTgz(archive, 'sum.tgz', { maxUnpackedBytes: 10_000, maxEntries: 100, maxEntryBytes: 5000 })).rejects.toThrow(/sum\.tgz: unpacks to more than 10000 bytes; refusing to unpack it/);
  });
});
