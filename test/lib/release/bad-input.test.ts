import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, run } from '../../../cli/main.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { diffCommand } from '../../../cli/commands/diff.ts';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { readReleaseTree } from '../../../lib/release/release-reader.ts';
import { copyRoot, readTree, tempRoot, TINY_NAME, TINY_RECORD, tinyStack } from './test-stack.ts';

const STABLE = { kind: 'stable' } as const;

const roots: string[] = [];
function newRoot(): string {
  const root = tempRoot();
  roots.push(root);
  return root;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A good first release of the tiny stack: its root and its published release folder. */
let good: { root: string; published: string; folder: string };
beforeAll(async () => {
  const root = newRoot();
  const published = join(root, 'published');
  await releaseCommand({ root, definitions: [tinyStack()], mode: STABLE, releaseDir: published });
  good = { root, published, folder: join(published, `${TINY_NAME}-v1`) };
});

/** A copy of the good published folder (holding one release folder), to break. */
function publishedCopy(): { published: string; folder: string } {
  const root = copyRoot(good.root);
  roots.push(root);
  return { published: join(root, 'published'), folder: join(root, 'published', `${TINY_NAME}-v1`) };
}

/**
 * Runs a release of the changed tiny stack into `root`, expects it to fail
 * with `message`, and checks that nothing below `root` (records, dist/, the
 * release folder) was written or changed.
 */
async function expectReleaseFails(root: string, message: string, options: { from?: string } = {}): Promise<void> {
  const before = readTree(root);
  const releaseDir = join(root, 'release-out');
  await expect(releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir, ...options })).rejects.toThrow(message);
  expect(existsSync(releaseDir), 'a failed release writes no release folder').toBe(false);
  const after = readTree(root);
  expect([...after.keys()], 'a failed release adds or removes no file').toEqual([...before.keys()]);
  for (const [path, content] of before) expect(after.get(path)?.equals(content), `a failed release changed ${path}`).toBe(true);
}

/**
 * Rewrites a damaged release folder's SHA256SUMS to match its files, so a
 * test reaches the checks behind the sums (as someone would who edits a
 * release and its sums together).
 */
function resum(folder: string): void {
  const sums = readdirSync(folder).filter((n) => n !== 'SHA256SUMS').sort().map((n) => `${createHash('sha256').update(readFileSync(join(folder, n))).digest('hex')}  ${n}\n`);
  writeFileSync(join(folder, 'SHA256SUMS'), sums.join(''));
}

/** A root with only the tiny stack's version record, holding `text`. */
function rootWithRecord(text: string): string {
  const root = newRoot();
  mkdirSync(dirname(join(root, TINY_RECORD)), { recursive: true });
  writeFileSync(join(root, TINY_RECORD), text);
  return root;
}

/** The good record of the tiny stack, parsed, to break one field of. */
function goodRecord(): { clusterStack: string; clusterAddon: string; nodeImage: string; hashes: Record<string, string> } {
  return JSON.parse(readFileSync(join(good.root, TINY_RECORD), 'utf8')) as { clusterStack: string; clusterAddon: string; nodeImage: string; hashes: Record<string, string> };
}

describe('release with a bad version record', () => {
  it('fails when the record is not valid JSON, naming the record', async () => {
    await expectReleaseFails(rootWithRecord('{ "clusterStack": "v1",'), `${TINY_RECORD}: not valid JSON`);
  });

  it('fails when the record is JSON but not an object, naming the record', async () => {
    await expectReleaseFails(rootWithRecord('["v1"]\n'), `${TINY_RECORD}: expected a JSON object`);
  });

  it.each([
    { field: 'clusterStack', value: 'v01' },
    { field: 'clusterStack', value: '1' },
    { field: 'clusterAddon', value: 'V2' },
    { field: 'nodeImage', value: 'v1-RC.1' },
  ] as const)('fails when the record\'s $field is \'$value\', naming the record and the field', async ({ field, value }) => {
    const record = { ...goodRecord(), [field]: value };
    await expectReleaseFails(rootWithRecord(JSON.stringify(record)), `${TINY_RECORD}: '${field}': invalid cluster stack version '${value}'`);
  });

  it('fails when the record\'s version is not a string, naming the record and the field', async () => {
    const record = { ...goodRecord(), clusterStack: 1 };
    await expectReleaseFails(rootWithRecord(JSON.stringify(record)), `${TINY_RECORD}: 'clusterStack' must be a version string, got 1`);
  });

  it('fails when the record misses hashes.clusterClass, naming the record and the field', async () => {
    const record = goodRecord();
    const { clusterClass, ...rest } = record.hashes;
    expect(clusterClass).toMatch(/^[0-9a-f]{64}$/);
    await expectReleaseFails(rootWithRecord(JSON.stringify({ ...record, hashes: rest })), `${TINY_RECORD}: 'hashes.clusterClass' must be a non-empty string`);
  });

  it('fails when the record misses hashes altogether, naming the record', async () => {
    const { hashes, ...rest } = goodRecord();
    expect(Object.keys(hashes)).toHaveLength(4);
    await expectReleaseFails(rootWithRecord(JSON.stringify(rest)), `${TINY_RECORD}: 'hashes' must be an object`);
  });

  it('fails when stable mode would bump a pre-release recorded by a custom release, naming the record', async () => {
    const root = newRoot();
    const rc = StackVersion.parse('v3-rc.1');
    await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'custom', versions: { clusterStack: rc, clusterAddon: rc, nodeImage: rc } }, releaseDir: join(root, 'release'), record: true });
    await expectReleaseFails(root, `${TINY_RECORD}: the previous cluster stack version v3-rc.1 is not a stable version, so stable mode cannot bump it`);
  });
});

describe('release --from a bad release folder', () => {
  it('fails when --from is a folder with no release folder in it', async () => {
    const root = newRoot();
    const empty = join(root, 'empty');
    mkdirSync(join(empty, 'not-a-release'), { recursive: true });
    await expectReleaseFails(root, `${empty}: holds no release folder (a folder with metadata.yaml and hashes.json)`, { from: empty });
  });

  it('fails when --from does not exist', async () => {
    const root = newRoot();
    const missing = join(root, 'missing');
    await expectReleaseFails(root, `${missing}: not a folder`, { from: missing });
  });

  it('fails when a release folder\'s metadata.yaml is not valid YAML, naming the file', async () => {
    const { published, folder } = publishedCopy();
    writeFileSync(join(folder, 'metadata.yaml'), 'versions:\n  clusterStack: [v1\n');
    resum(folder);
    await expectReleaseFails(dirname(published), `${join(folder, 'metadata.yaml')}: not valid YAML`, { from: published });
  });

  it('fails when a release folder\'s metadata.yaml has no versions, naming the file', async () => {
    const { published, folder } = publishedCopy();
    writeFileSync(join(folder, 'metadata.yaml'), 'apiVersion: metadata.clusterstack.x-k8s.io/v1alpha1\n');
    resum(folder);
    await expectReleaseFails(dirname(published), `${join(folder, 'metadata.yaml')}: 'versions' is missing`, { from: published });
  });

  it('fails when a release folder\'s metadata.yaml has a bad version, naming the file and the field', async () => {
    const { published, folder } = publishedCopy();
    const text = readFileSync(join(folder, 'metadata.yaml'), 'utf8');
    writeFileSync(join(folder, 'metadata.yaml'), text.replace('clusterAddon: v1', 'clusterAddon: v01'));
    resum(folder);
    await expectReleaseFails(dirname(published), `${join(folder, 'metadata.yaml')}: 'versions.components.clusterAddon': invalid cluster stack version 'v01'`, { from: published });
  });

  it('fails when a release folder\'s name disagrees with its metadata.yaml version', async () => {
    const { published, folder } = publishedCopy();
    const renamed = join(published, `${TINY_NAME}-v2`);
    renameSync(folder, renamed);
    await expectReleaseFails(dirname(published), `${renamed}: folder name says v2 but metadata.yaml says v1`, { from: published });
  });

  it('fails when a release folder\'s name has an invalid version, naming the folder', async () => {
    const { published, folder } = publishedCopy();
    const renamed = join(published, `${TINY_NAME}-v01`);
    renameSync(folder, renamed);
    await expectReleaseFails(dirname(published), `${renamed}: folder name '${TINY_NAME}-v01' has an invalid version: invalid cluster stack version 'v01'`, { from: published });
  });

  it('fails when a release folder\'s name is not a release tag', async () => {
    const { published, folder } = publishedCopy();
    const renamed = join(published, 'latest');
    renameSync(folder, renamed);
    await expectReleaseFails(dirname(published), `${renamed}: folder name 'latest' is not a release tag <provider>-<stack>-<major>-<minor>-<version>`, { from: published });
  });

  it('fails when a release folder\'s hashes.json is missing, naming it', async () => {
    const { published, folder } = publishedCopy();
    rmSync(join(folder, 'hashes.json'));
    resum(folder);
    await expectReleaseFails(dirname(published), `${folder}: not a release folder of this generator: ${join(folder, 'hashes.json')} is missing`, { from: folder });
  });

  it('fails when a release folder\'s hashes.json lacks the generator hashes, naming it', async () => {
    const { published, folder } = publishedCopy();
    const hashes = JSON.parse(readFileSync(join(folder, 'hashes.json'), 'utf8')) as Record<string, unknown>;
    delete hashes.generator;
    writeFileSync(join(folder, 'hashes.json'), JSON.stringify(hashes));
    resum(folder);
    await expectReleaseFails(dirname(published), `${join(folder, 'hashes.json')} generator: 'hashes' must be an object`, { from: published });
  });
});

describe('release --from and diff --from a tampered release folder', () => {
  const metadata = (folder: string) => join(folder, 'metadata.yaml');
  const toV99 = (folder: string) => writeFileSync(metadata(folder), readFileSync(metadata(folder), 'utf8').replace('clusterAddon: v1', 'clusterAddon: v99'));

  it('refuses a folder whose metadata.yaml was edited to clusterAddon: v99, naming the file and SHA256SUMS', async () => {
    const { published, folder } = publishedCopy();
    toV99(folder);
    await expectReleaseFails(dirname(published), `${metadata(folder)}: does not match its sha256 in ${join(folder, 'SHA256SUMS')}; the file was changed after the release was written`, { from: published });
  });

  it('refuses the same edit with SHA256SUMS rewritten to match, because the archive names carry the versions', async () => {
    const { published, folder } = publishedCopy();
    toV99(folder);
    resum(folder);
    await expectReleaseFails(dirname(published), `${metadata(folder)}: says clusterAddon v99, but the cluster-addon archive is ${TINY_NAME}-cluster-addon-v1.tgz (expected ${TINY_NAME}-cluster-addon-v99.tgz)`, { from: published });
  });

  it('refuses hashes.json edited consistently with itself, because the content hashes are recomputed', async () => {
    const { published, folder } = publishedCopy();
    const path = join(folder, 'hashes.json');
    const hashes = JSON.parse(readFileSync(path, 'utf8')) as { clusterStack: string; clusterAddonDir: string; generator: Record<string, string> };
    const forged: Record<string, string> = { ...hashes.generator, clusterAddon: 'f'.repeat(64) };
    const combined = createHash('sha256').update(['clusterClass', 'clusterAddon', 'nodeImage', 'kubernetes'].map((c) => `${c}=${forged[c] ?? ''}`).join('\n')).digest('hex');
    writeFileSync(path, `${JSON.stringify({ ...hashes, clusterStack: combined, clusterAddonDir: forged.clusterAddon, generator: forged }, null, 2)}\n`);
    resum(folder);
    await expectReleaseFails(dirname(published), `${path}: the clusterAddon hash does not match the content of ${TINY_NAME}-cluster-addon-v1.tgz and clusteraddon.yaml; the release was changed after it was written`, { from: published });
  });

  it('refuses a file the release does not list', async () => {
    const { published, folder } = publishedCopy();
    writeFileSync(join(folder, 'notes.txt'), 'added later\n');
    await expectReleaseFails(dirname(published), `${join(folder, 'notes.txt')}: not listed in ${join(folder, 'SHA256SUMS')}; a release folder holds only the files it lists`, { from: published });
  });

  it('refuses a folder without SHA256SUMS', async () => {
    const { published, folder } = publishedCopy();
    rmSync(join(folder, 'SHA256SUMS'));
    await expectReleaseFails(dirname(published), `${folder}: SHA256SUMS is missing, so the release cannot be verified`, { from: published });
  });

  it('diff --from refuses the tampered folder too, with the same message', async () => {
    const { folder } = publishedCopy();
    toV99(folder);
    const message = `${metadata(folder)}: does not match its sha256 in ${join(folder, 'SHA256SUMS')}`;
    await expect(diffCommand({ root: good.root, definitions: [tinyStack()], from: folder })).rejects.toThrow(message);
    await expect(diffCommand({ root: good.root, definitions: [tinyStack()], from: folder, to: good.folder })).rejects.toThrow(message);
  });

  it('accepts the untouched release (control case)', async () => {
    const { folder } = publishedCopy();
    await expect(readReleaseTree(folder)).resolves.toBeInstanceOf(Map);
  });
});

describe('readReleaseTree of a damaged release folder', () => {
  it('fails when the cluster-class chart is truncated, naming the file', async () => {
    const { folder } = publishedCopy();
    const chart = join(folder, `${TINY_NAME}-cluster-class-v1.tgz`);
    truncateSync(chart, Math.floor(statSync(chart).size / 2));
    resum(folder);
    const before = readTree(folder);
    await expect(readReleaseTree(folder)).rejects.toThrow(`${chart}: truncated archive (the gzip stream ends early)`);
    expect(readTree(folder), 'reading writes nothing').toEqual(before);
  });

  it('fails when the cluster-addon archive is not gzip, naming the file', async () => {
    const { folder } = publishedCopy();
    const archive = join(folder, `${TINY_NAME}-cluster-addon-v1.tgz`);
    writeFileSync(archive, 'not an archive');
    resum(folder);
    await expect(readReleaseTree(folder)).rejects.toThrow(`${archive}: not a gzip archive`);
  });

  it('fails when the cluster-class chart is missing', async () => {
    const { folder } = publishedCopy();
    rmSync(join(folder, `${TINY_NAME}-cluster-class-v1.tgz`));
    resum(folder);
    await expect(readReleaseTree(folder)).rejects.toThrow(`${folder}: expected exactly one cluster-class chart (*-cluster-class-<version>.tgz), found none`);
  });

  it('fails when metadata.yaml is not valid YAML, naming the file', async () => {
    const { folder } = publishedCopy();
    writeFileSync(join(folder, 'metadata.yaml'), 'versions: {clusterStack: v1\n');
    resum(folder);
    await expect(readReleaseTree(folder)).rejects.toThrow(`${join(folder, 'metadata.yaml')}: not valid YAML`);
  });

  it('fails when the folder does not exist', async () => {
    const missing = join(good.published, 'nope');
    await expect(readReleaseTree(missing)).rejects.toThrow(`${missing}: no such release folder`);
  });
});

describe('cluster-stacks CLI usage errors', () => {
  /** Runs the CLI, capturing its output. Never writes: every release or synth here is a --dry-run. */
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
    return { code, out, err };
  }
  let releaseDir: string;
  beforeAll(() => {
    releaseDir = join(newRoot(), 'release');
  });

  it('fails when --mode custom has no --version', async () => {
    const r = await cli('release', '--mode', 'custom', '--dry-run', '--release-dir', releaseDir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('error: --mode custom needs --version');
    expect(r.out).toBe('');
  });

  it('fails when --version is given without --mode custom', async () => {
    const r = await cli('release', '--version', 'v2', '--dry-run', '--release-dir', releaseDir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('error: --version, --addon-version and --node-image-version need --mode custom');
  });

  it('fails when --version is not a valid version, naming the flag and the value', async () => {
    const r = await cli('release', '--mode', 'custom', '--version', 'V2', '--dry-run', '--release-dir', releaseDir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("error: --version: invalid cluster stack version 'V2'; expected v<N> or v<N>-<channel>.<id>");
  });

  it('fails when --addon-version is not a valid version, naming the flag', async () => {
    const r = await cli('release', '--mode', 'custom', '--version', 'v2', '--addon-version', 'v02', '--dry-run', '--release-dir', releaseDir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("error: --addon-version: invalid cluster stack version 'v02'");
  });

  it('fails when --mode is not one of the choices', async () => {
    const r = await cli('release', '--mode', 'latest', '--dry-run', '--release-dir', releaseDir);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("'latest' is invalid");
  });

  it('fails when --provider matches no stack', async () => {
    const r = await cli('synth', '--provider', 'nope', '--dry-run');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('error: no stack matches --provider nope; shipped stacks: docker/scs');
  });

  it('fails when --kubernetes matches no stack', async () => {
    const r = await cli('synth', '--kubernetes', '1.99', '--dry-run');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('error: no stack matches --kubernetes 1.99');
  });

  it('fails when --kubernetes is not a minor version', async () => {
    const r = await cli('synth', '--kubernetes', '1.34.7', '--dry-run');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("error: --kubernetes '1.34.7' is not a Kubernetes minor; expected <major>.<minor>");
  });

  it('fails when the subcommand is unknown', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });

  it('writes nothing into the release folder on a usage error', () => {
    expect(existsSync(releaseDir)).toBe(false);
  });
});
