import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { releaseCommand, type ReleaseSummary } from '../../../cli/commands/release.ts';
import { GitopsFiles } from '../../../lib/bytes/gitops/bundle-files.ts';
import { OUTPUT_MARKER } from '../../../lib/bytes/atomic-write.ts';
import { planRelease } from '../../../lib/release/release.ts';
import { sideFromFolder } from '../../../lib/release/upgrade-side.ts';
import { PROJECT_ROOT } from '../../../lib/pipeline/project-root.ts';
import { readReleaseTree } from '../../../lib/release/release-reader.ts';
import { readTgz } from '../../../lib/bytes/tgz.ts';
import type { ClusterStackIdentity } from '../../../constructs/names.ts';
import { STACKS } from '../../../stacks/index.ts';
import { copyRoot, readTree, tempRoot, TINY_BUNDLE, TINY_NAME, TINY_RECORD, tinyStack, type TinyRow } from './test-stack.ts';

const STABLE = { kind: 'stable' } as const;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Every shipped stack × minor: bundle path and `<provider>-<stack>-<major>-<minor>`. */
const SHIPPED = STACKS.flatMap((d) => d.versions.map((row) => {
  const slug = KubernetesVersion.parse(row.kubernetes).minorSlug;
  return { provider: d.provider, bundle: `${d.provider}/${d.stack}/${slug}`, name: `${d.provider}-${d.stack}-${slug}` };
}));

/** The three versions of one summary row, for one readable assertion. */
function versionsOf(summary: ReleaseSummary, bundle: string): { clusterStack: string; clusterAddon: string; nodeImage: string } {
  const r = summary.releases.find((x) => x.bundle === bundle);
  if (!r) throw new Error(`no release of ${bundle} in the summary`);
  return { clusterStack: r.clusterStack, clusterAddon: r.clusterAddon, nodeImage: r.nodeImage };
}

/** metadata.yaml of a release folder or bundle, parsed. */
function metadataVersions(dir: string): { clusterStack: string; kubernetes: string; components: { clusterAddon: string; nodeImage: string } } {
  const doc = yaml.load(readFileSync(join(dir, 'metadata.yaml'), 'utf8')) as { versions: { clusterStack: string; kubernetes: string; components: { clusterAddon: string; nodeImage: string } } };
  return doc.versions;
}

/** metadata.name of the ClusterClass (the first document) of a dist bundle. */
function clusterClassName(bundleDir: string): string {
  const first = yaml.loadAll(readFileSync(join(bundleDir, 'cluster-class.yaml'), 'utf8'))[0] as { kind: string; metadata: { name: string } };
  expect(first.kind, `${bundleDir}/cluster-class.yaml: first document`).toBe('ClusterClass');
  return first.metadata.name;
}

const roots: string[] = [];
function newRoot(): string {
  const root = tempRoot();
  roots.push(root);
  return root;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('first release of the shipped stacks', () => {
  let root: string;
  let releaseDir: string;
  let summary: ReleaseSummary;

  beforeAll(async () => {
    root = newRoot();
    releaseDir = join(root, 'release');
    summary = await releaseCommand({ root, definitions: STACKS, mode: STABLE, releaseDir });
  });

  it('writes one folder per stack × minor, named <provider>-<stack>-<major>-<minor>-v1', () => {
    expect(readdirSync(releaseDir).sort()).toEqual([OUTPUT_MARKER, ...SHIPPED.map((s) => `${s.name}-v1`)].sort());
    for (const s of SHIPPED) {
      expect(versionsOf(summary, s.bundle), s.bundle).toEqual({ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1' });
    }
    expect(summary.releases.every((r) => r.isNewVersion && r.reason === 'first release' && r.previous === undefined)).toBe(true);
  });

  it('puts exactly the release assets into each folder (node image manifests and build instructions for the cloud providers)', () => {
    for (const s of SHIPPED) {
      const expected = [
        `${s.name}-cluster-class-v1.tgz`,
        `${s.name}-cluster-addon-v1.tgz`,
        'clusteraddon.yaml',
        'metadata.yaml',
        'hashes.json',
        'SHA256SUMS',
        // CAPD runs kind's node images; the cloud providers ship theirs, with build instructions.
        ...(s.provider !== 'docker' ? ['node-images.yaml', `${s.name}-node-image-v1.tgz`] : []),
      ];
      expect(readdirSync(join(releaseDir, `${s.name}-v1`)).sort(), `release/${s.name}-v1`).toEqual(expected.sort());
    }
  });

  it('lists every other file of a folder in SHA256SUMS with its real sha256', () => {
    for (const s of SHIPPED) {
      const dir = join(releaseDir, `${s.name}-v1`);
      const lines = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
      const listed = new Map(lines.map((l) => {
        const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(l);
        if (!m) throw new Error(`release/${s.name}-v1/SHA256SUMS: line '${l}' is not '<sha256>  <file>'`);
        return [m[2], m[1]] as const;
      }));
      const others = readdirSync(dir).filter((f) => f !== 'SHA256SUMS').sort();
      expect([...listed.keys()].sort(), `release/${s.name}-v1/SHA256SUMS files`).toEqual(others);
      for (const f of others) expect(listed.get(f), `release/${s.name}-v1/SHA256SUMS: ${f}`).toBe(sha256(readFileSync(join(dir, f))));
    }
  });

  it('writes the version records at stacks/<provider>/<stack>/version-record/<major>-<minor>.json', () => {
    for (const s of SHIPPED) {
      const [provider, stack, slug] = s.bundle.split('/');
      const record = JSON.parse(readFileSync(join(root, 'stacks', provider, stack, 'version-record', `${slug}.json`), 'utf8')) as Record<string, unknown>;
      expect({ clusterStack: record.clusterStack, clusterAddon: record.clusterAddon, nodeImage: record.nodeImage }, s.bundle).toEqual({ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1' });
    }
  });

  it('is reproducible: a first release in another root and folder is byte-identical', async () => {
    const other = newRoot();
    await releaseCommand({ root: other, definitions: STACKS, mode: STABLE, releaseDir: join(other, 'elsewhere') });
    const a = readTree(releaseDir);
    const b = readTree(join(other, 'elsewhere'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [path, content] of a) expect(b.get(path)?.equals(content), `release/${path} differs between two runs`).toBe(true);
    const distA = readTree(join(root, 'dist'));
    const distB = readTree(join(other, 'dist'));
    expect([...distB.keys()]).toEqual([...distA.keys()]);
    for (const [path, content] of distA) expect(distB.get(path)?.equals(content), `dist/${path} differs between two runs`).toBe(true);
  });

  it('gives back, read with readReleaseTree, exactly the dist/ bundle the same run wrote (less the GitOps files, which the operator does not use)', async () => {
    for (const s of SHIPPED) {
      const fromRelease = await readReleaseTree(join(releaseDir, `${s.name}-v1`));
      const dist = readTree(join(root, 'dist', s.bundle));
      for (const gitops of Object.values(GitopsFiles)) {
        expect(dist.has(gitops), `dist/${s.bundle}/${gitops}`).toBe(true);
        dist.delete(gitops);
      }
      expect([...fromRelease.keys()].sort(), `${s.name}-v1 files vs dist/${s.bundle}`).toEqual([...dist.keys()].sort());
      for (const [path, content] of dist) expect(fromRelease.get(path), `${s.name}-v1: ${path} vs dist/${s.bundle}/${path}`).toBe(content.toString('utf8'));
    }
  });

  it('names the cluster-class chart <name>-cluster-class at the stack version, with every {{ of dist escaped for Helm', async () => {
    for (const s of SHIPPED) {
      const chartPath = join(releaseDir, `${s.name}-v1`, `${s.name}-cluster-class-v1.tgz`);
      const chart = await readTgz(readFileSync(chartPath), chartPath);
      expect([...chart.keys()].sort(), chartPath).toEqual([`${s.name}-cluster-class/Chart.yaml`, `${s.name}-cluster-class/templates/cluster-class.yaml`]);
      const chartYaml = yaml.load((chart.get(`${s.name}-cluster-class/Chart.yaml`) as Buffer).toString('utf8')) as { apiVersion: string; name: string; version: string };
      expect({ apiVersion: chartYaml.apiVersion, name: chartYaml.name, version: chartYaml.version }, `${chartPath} Chart.yaml`).toEqual({ apiVersion: 'v2', name: `${s.name}-cluster-class`, version: 'v1' });

      const template = (chart.get(`${s.name}-cluster-class/templates/cluster-class.yaml`) as Buffer).toString('utf8');
      const dist = readFileSync(join(root, 'dist', s.bundle, 'cluster-class.yaml'), 'utf8');
      const distOpenings = dist.split('{{').length - 1;
      const escapes = template.split('{{"{{"}}').length - 1;
      expect(escapes, `${chartPath}: one escape per {{ of dist/${s.bundle}/cluster-class.yaml`).toBe(distOpenings);
      const marker = '\u0000OPEN\u0000';
      const withoutEscapes = template.split('{{"{{"}}').join(marker);
      expect(withoutEscapes.includes('{{'), `${chartPath}: an unescaped {{ would be evaluated by helm template`).toBe(false);
      expect(withoutEscapes.split(marker).join('{{'), `${chartPath}: template vs dist/${s.bundle}/cluster-class.yaml`).toBe(dist);
    }
    // The shipped stacks do have templated strings (enabledIf, valueFrom.template), so the check above is not vacuous.
    expect(readFileSync(join(root, 'dist', 'openstack/scs/1-34', 'cluster-class.yaml'), 'utf8')).toContain('{{');
  });

  it('keeps every version, record and dist/ file byte for byte when rerun with no change', async () => {
    const before = readTree(root);
    const again = await releaseCommand({ root, definitions: STACKS, mode: STABLE, releaseDir });
    for (const s of SHIPPED) {
      expect(versionsOf(again, s.bundle), s.bundle).toEqual({ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1' });
      const r = again.releases.find((x) => x.bundle === s.bundle);
      expect(r?.isNewVersion, s.bundle).toBe(false);
      expect(r?.changed, s.bundle).toEqual([]);
      expect(r?.reason, s.bundle).toContain('no change');
      expect(r?.previous, s.bundle).toBe('v1');
    }
    const after = readTree(root);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [path, content] of before) expect(after.get(path)?.equals(content), `${path} changed on a rerun without change`).toBe(true);
  });
});

describe('release of a changed stack, one change at a time', () => {
  let base: string;

  beforeAll(async () => {
    base = newRoot();
    const first = await releaseCommand({ root: base, definitions: [tinyStack()], mode: STABLE, releaseDir: join(base, 'release') });
    expect(versionsOf(first, TINY_BUNDLE)).toEqual({ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1' });
  });

  const cases: { what: string; change: Partial<TinyRow>; changed: string; expected: { clusterStack: string; clusterAddon: string; nodeImage: string } }[] = [
    { what: 'a ClusterClass template field', change: { hostpathProvisioner: 'false' }, changed: 'clusterClass', expected: { clusterStack: 'v2', clusterAddon: 'v1', nodeImage: 'v1' } },
    { what: 'addon values', change: { metricsServerReplicas: 2 }, changed: 'clusterAddon', expected: { clusterStack: 'v2', clusterAddon: 'v2', nodeImage: 'v1' } },
    { what: 'the node image', change: { imageSha256: 'b'.repeat(64) }, changed: 'nodeImage', expected: { clusterStack: 'v2', clusterAddon: 'v1', nodeImage: 'v2' } },
    { what: 'the Kubernetes patch version', change: { kubernetes: '1.34.8' }, changed: 'kubernetes', expected: { clusterStack: 'v2', clusterAddon: 'v1', nodeImage: 'v1' } },
  ];

  it.each(cases)('gives the exact new versions when only $what changed', async ({ change, changed, expected }) => {
    const root = copyRoot(base);
    roots.push(root);
    const releaseDir = join(root, 'release');
    const summary = await releaseCommand({ root, definitions: [tinyStack(change)], mode: STABLE, releaseDir });
    expect(versionsOf(summary, TINY_BUNDLE)).toEqual(expected);
    expect(summary.releases[0].changed).toEqual([changed]);
    expect(summary.releases[0].previous).toBe('v1');

    expect(readdirSync(releaseDir).sort()).toEqual([OUTPUT_MARKER, `${TINY_NAME}-v2`]);
    const folder = join(releaseDir, `${TINY_NAME}-v2`);
    expect(existsSync(join(folder, `${TINY_NAME}-cluster-class-v2.tgz`)), `${TINY_NAME}-v2: cluster-class chart at v2`).toBe(true);
    expect(existsSync(join(folder, `${TINY_NAME}-cluster-addon-${expected.clusterAddon}.tgz`)), `${TINY_NAME}-v2: addon archive at ${expected.clusterAddon}`).toBe(true);
    const metadata = metadataVersions(folder);
    expect({ clusterStack: metadata.clusterStack, clusterAddon: metadata.components.clusterAddon, nodeImage: metadata.components.nodeImage }).toEqual(expected);
    expect(metadata.kubernetes).toBe(`v${change.kubernetes ?? '1.34.7'}`);

    const dist = join(root, 'dist', TINY_BUNDLE);
    expect(clusterClassName(dist)).toBe(`${TINY_NAME}-v2`);
    expect(metadataVersions(dist).clusterStack).toBe('v2');
    const record = JSON.parse(readFileSync(join(root, TINY_RECORD), 'utf8')) as Record<string, unknown>;
    expect({ clusterStack: record.clusterStack, clusterAddon: record.clusterAddon, nodeImage: record.nodeImage }, TINY_RECORD).toEqual(expected);
  });

  it('bumps again from the new record on a second change (v2 → v3, the addon stays at v1)', async () => {
    const root = copyRoot(base);
    roots.push(root);
    await releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: join(root, 'release') });
    const third = await releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false', imageSha256: 'c'.repeat(64) })], mode: STABLE, releaseDir: join(root, 'release') });
    expect(versionsOf(third, TINY_BUNDLE)).toEqual({ clusterStack: 'v3', clusterAddon: 'v1', nodeImage: 'v2' });
    expect(clusterClassName(join(root, 'dist', TINY_BUNDLE))).toBe(`${TINY_NAME}-v3`);
  });
});

describe('release --from a published release folder', () => {
  let rootA: string;
  let published: string;
  let emptyRoot: string;

  beforeAll(async () => {
    rootA = newRoot();
    published = join(rootA, 'published');
    await releaseCommand({ root: rootA, definitions: [tinyStack()], mode: STABLE, releaseDir: published });
    emptyRoot = newRoot();
  });

  it('bumps against a folder of release folders, with no version record in the root', async () => {
    const plan = await planRelease({ root: emptyRoot, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, from: published });
    const e = plan.entries[0];
    expect(e.previous?.source).toBe(join(published, `${TINY_NAME}-v1`));
    expect(e.decision.versions.clusterStack.toString()).toBe('v2');
    expect(e.decision.versions.clusterAddon.toString()).toBe('v1');
    expect(e.decision.versions.nodeImage.toString()).toBe('v1');
    expect(e.bundle.releaseTag).toBe(`${TINY_NAME}-v2`);
    expect(existsSync(join(emptyRoot, TINY_RECORD)), 'planning writes no record').toBe(false);
  });

  it('bumps against a single release folder', async () => {
    const plan = await planRelease({ root: emptyRoot, definitions: [tinyStack({ metricsServerReplicas: 3 })], mode: STABLE, from: join(published, `${TINY_NAME}-v1`) });
    const v = plan.entries[0].decision.versions;
    expect({ clusterStack: v.clusterStack.toString(), clusterAddon: v.clusterAddon.toString(), nodeImage: v.nodeImage.toString() }).toEqual({ clusterStack: 'v2', clusterAddon: 'v2', nodeImage: 'v1' });
  });

  it('keeps the published versions when nothing changed', async () => {
    const plan = await planRelease({ root: emptyRoot, definitions: [tinyStack()], mode: STABLE, from: published });
    expect(plan.entries[0].decision.isNewVersion).toBe(false);
    expect(plan.entries[0].decision.versions.clusterStack.toString()).toBe('v1');
  });

  it('bumps against the highest stable release when the folder holds several', async () => {
    const root = newRoot();
    const many = join(root, 'many');
    mkdirSync(many);
    cpSync(join(published, `${TINY_NAME}-v1`), join(many, `${TINY_NAME}-v1`), { recursive: true });
    const second = join(root, 'second');
    const rootB = copyRoot(rootA);
    roots.push(rootB);
    await releaseCommand({ root: rootB, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: second });
    cpSync(join(second, `${TINY_NAME}-v2`), join(many, `${TINY_NAME}-v2`), { recursive: true });
    const plan = await planRelease({ root: emptyRoot, definitions: [tinyStack({ hostpathProvisioner: 'false', metricsServerReplicas: 2 })], mode: STABLE, from: many });
    expect(plan.entries[0].previous?.source).toBe(join(many, `${TINY_NAME}-v2`));
    const v = plan.entries[0].decision.versions;
    expect({ clusterStack: v.clusterStack.toString(), clusterAddon: v.clusterAddon.toString(), nodeImage: v.nodeImage.toString() }).toEqual({ clusterStack: 'v3', clusterAddon: 'v2', nodeImage: 'v1' });
  });

  it('falls back to the version record for a stack × minor the release folders do not hold, so versions never go backwards', async () => {
    const root = newRoot();
    await releaseCommand({ root, definitions: STACKS, mode: { kind: 'custom', versions: { clusterStack: StackVersion.stable(5), clusterAddon: StackVersion.stable(5), nodeImage: StackVersion.stable(5) } }, releaseDir: join(root, 'release'), record: true });
    const plan = await planRelease({ root, definitions: STACKS, mode: STABLE, from: join(root, 'release', 'openstack-scs-1-34-v5') });
    for (const e of plan.entries) {
      expect(e.decision.versions.clusterStack.toString(), e.bundle.path).toBe('v5');
      expect(e.decision.isNewVersion, e.bundle.path).toBe(false);
    }
    expect(plan.entries.find((e) => e.bundle.path === 'docker/scs/1-34')?.previous?.source).toBe('stacks/docker/scs/version-record/1-34.json');
  });

  it('writes the bumped release and a record into the root when released for real', async () => {
    const root = newRoot();
    const summary = await releaseCommand({ root, definitions: [tinyStack({ imageSha256: 'd'.repeat(64) })], mode: STABLE, from: published, releaseDir: join(root, 'release') });
    expect(versionsOf(summary, TINY_BUNDLE)).toEqual({ clusterStack: 'v2', clusterAddon: 'v1', nodeImage: 'v2' });
    expect(readdirSync(join(root, 'release')).sort()).toEqual([OUTPUT_MARKER, `${TINY_NAME}-v2`]);
    expect((JSON.parse(readFileSync(join(root, TINY_RECORD), 'utf8')) as { clusterStack: string }).clusterStack).toBe('v2');
  });
});

describe('release in hash mode (development builds)', () => {
  it('of one bundle, checks the path from the previous minor, read from that bundle synthesized where dist/ holds its bytes, as parsing them reads it', async () => {
    const plan = await planRelease({ root: PROJECT_ROOT, definitions: STACKS, mode: { kind: 'hash' }, filter: (id) => id.provider === 'openstack' && id.kubernetes.minorSlug === '1-34' });
    expect(plan.entries.map((e) => e.bundle.path)).toEqual(['openstack/scs/1-34']);
    const nextMinor = plan.upgrades.filter((c) => c.path.kind === 'next-minor');
    expect(nextMinor).toHaveLength(1);
    expect(nextMinor[0]?.path.from).toEqual(sideFromFolder('openstack/scs/1-33', join(PROJECT_ROOT, 'dist/openstack/scs/1-33'), 'dist/openstack/scs/1-33'));
  });

  it('builds each shipped bundle once, renamed to its hash version, and checks its same-minor path against dist/ as parsing reads it', async () => {
    let builds = 0;
    const counted = STACKS.map((d) => ({ ...d, build: (...args: Parameters<typeof d.build>) => { builds++; d.build(...args); } }));
    const plan = await planRelease({ root: PROJECT_ROOT, definitions: counted, mode: { kind: 'hash' } });
    expect(plan.entries).toHaveLength(SHIPPED.length);
    expect(builds).toBe(SHIPPED.length);
    const renamedBuilds = builds;
    // The reference: the same plan with every bundle synthesized at its hash version.
    builds = 0;
    const reference = await planRelease({ root: PROJECT_ROOT, definitions: counted.map((d) => ({ ...d, build: (...args: Parameters<typeof d.build>) => { void (args[0] as { versions: unknown }).versions; d.build(...args); } })), mode: { kind: 'hash' } });
    // Built at the hash-shaped versions, at its hash version, and at its recorded versions for the previous side.
    expect(builds, 'a definition that reads its versions is built at each of them').toBe(3 * renamedBuilds);
    expect(plan.entries.map((e) => [e.bundle.releaseTag, e.files])).toEqual(reference.entries.map((e) => [e.bundle.releaseTag, e.files]));
    const sameMinor = plan.upgrades.filter((c) => c.path.kind === 'same-minor');
    expect(sameMinor).toHaveLength(SHIPPED.length);
    for (const c of sameMinor) expect(c.path.from, c.path.from.bundle).toEqual(sideFromFolder(c.path.from.bundle, join(PROJECT_ROOT, 'dist', c.path.from.bundle), `dist/${c.path.from.bundle}`));
  });

  it('builds the GitOps files of dist/ only for a release that writes dist/: no release folder holds them', async () => {
    const only = (id: ClusterStackIdentity) => id.provider === 'docker' && id.kubernetes.minorSlug === '1-34';
    const [hash] = (await planRelease({ root: PROJECT_ROOT, definitions: STACKS, mode: { kind: 'hash' }, filter: only })).entries;
    const [stable] = (await planRelease({ root: PROJECT_ROOT, definitions: STACKS, mode: STABLE, filter: only })).entries;
    expect(hash?.bundle.model.helmChartProxies).toBeUndefined();
    expect(hash?.bundle.files.map((f) => f.path)).not.toContain('kustomization.yaml');
    expect(stable?.bundle.model.helmChartProxies?.length).toBeGreaterThan(0);
    expect(stable?.bundle.files.map((f) => f.path)).toEqual(expect.arrayContaining(['helm-chart-proxies.yaml', 'kustomization.yaml']));
    // The same release folder either way, its archives named by other versions.
    const unversioned = (files: readonly { readonly path: string }[] | undefined) => files?.map((f) => f.path.replace(/-v[0-9][^/]*\.tgz$/, '.tgz'));
    expect(unversioned(stable?.files)).toEqual(unversioned(hash?.files));
  });

  it('writes a v0-sha.<hash> release folder and neither records nor dist/', async () => {
    const root = newRoot();
    const releaseDir = join(root, 'release');
    const summary = await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir });
    const r = summary.releases[0];
    const m = /^v0-sha\.([0-9a-f]{7})$/.exec(r.clusterStack);
    expect(m, `clusterStack ${r.clusterStack}`).not.toBeNull();
    const hash = (m as RegExpExecArray)[1];
    expect({ clusterAddon: r.clusterAddon, nodeImage: r.nodeImage }).toEqual({ clusterAddon: `v0-sha.${hash}`, nodeImage: `v0-sha.${hash}` });
    expect(r.tag).toBe(`${TINY_NAME}-v0-sha-${hash}`);
    expect(readdirSync(releaseDir).sort()).toEqual([OUTPUT_MARKER, `${TINY_NAME}-v0-sha-${hash}`]);
    const folder = join(releaseDir, `${TINY_NAME}-v0-sha-${hash}`);
    expect(readdirSync(folder).sort()).toEqual([
      'SHA256SUMS', 'clusteraddon.yaml', `${TINY_NAME}-cluster-addon-v0-sha.${hash}.tgz`, `${TINY_NAME}-cluster-class-v0-sha.${hash}.tgz`, 'hashes.json', 'metadata.yaml', 'node-images.yaml',
    ].sort());
    expect(metadataVersions(folder).clusterStack).toBe(`v0-sha.${hash}`);
    expect(StackVersion.parseTag(`v0-sha-${hash}`).toString()).toBe(`v0-sha.${hash}`);
    expect(existsSync(join(root, 'stacks')), 'hash mode writes no version record').toBe(false);
    expect(existsSync(join(root, 'dist')), 'hash mode writes no dist/').toBe(false);
  });

  it('leaves existing records and dist/ byte for byte as they were', async () => {
    const root = newRoot();
    await releaseCommand({ root, definitions: [tinyStack()], mode: STABLE, releaseDir: join(root, 'release') });
    const record = readFileSync(join(root, TINY_RECORD));
    const dist = readTree(join(root, 'dist'));
    await releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: { kind: 'hash' }, releaseDir: join(root, 'dev') });
    expect(readFileSync(join(root, TINY_RECORD)).equals(record), TINY_RECORD).toBe(true);
    const after = readTree(join(root, 'dist'));
    expect([...after.keys()]).toEqual([...dist.keys()]);
    for (const [path, content] of dist) expect(after.get(path)?.equals(content), `dist/${path}`).toBe(true);
  });

  it('gives the same version for the same content and another one for other content', async () => {
    const root = newRoot();
    const a = await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir: join(root, 'a'), dryRun: true });
    const b = await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir: join(root, 'b'), dryRun: true });
    const c = await releaseCommand({ root, definitions: [tinyStack({ metricsServerReplicas: 5 })], mode: { kind: 'hash' }, releaseDir: join(root, 'c'), dryRun: true });
    expect(b.releases[0].clusterStack).toBe(a.releases[0].clusterStack);
    expect(c.releases[0].clusterStack).not.toBe(a.releases[0].clusterStack);
    expect(readdirSync(root), 'dry runs write nothing').toEqual([]);
  });
});

describe('release in custom mode', () => {
  it('writes a pre-release v3-rc.1 with the dashed tag as folder and the dotted version in file names and metadata.yaml', async () => {
    const root = newRoot();
    const releaseDir = join(root, 'release');
    const rc = StackVersion.parse('v3-rc.1');
    const summary = await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'custom', versions: { clusterStack: rc, clusterAddon: rc, nodeImage: rc } }, releaseDir });
    expect(versionsOf(summary, TINY_BUNDLE)).toEqual({ clusterStack: 'v3-rc.1', clusterAddon: 'v3-rc.1', nodeImage: 'v3-rc.1' });
    expect(readdirSync(releaseDir).sort()).toEqual([OUTPUT_MARKER, `${TINY_NAME}-v3-rc-1`]);
    const folder = join(releaseDir, `${TINY_NAME}-v3-rc-1`);
    const files = readdirSync(folder);
    // The operator looks for `<name>-cluster-class-<version in dotted form>` and `.tgz`.
    expect(files).toContain(`${TINY_NAME}-cluster-class-v3-rc.1.tgz`);
    expect(files).toContain(`${TINY_NAME}-cluster-addon-v3-rc.1.tgz`);
    expect(metadataVersions(folder)).toEqual({ clusterStack: 'v3-rc.1', kubernetes: 'v1.34.7', components: { clusterAddon: 'v3-rc.1', nodeImage: 'v3-rc.1' } });
    const chartPath = join(folder, `${TINY_NAME}-cluster-class-v3-rc.1.tgz`);
    const chart = await readTgz(readFileSync(chartPath), chartPath);
    expect((yaml.load((chart.get(`${TINY_NAME}-cluster-class/Chart.yaml`) as Buffer).toString('utf8')) as { version: string }).version).toBe('v3-rc.1');
    expect(summary.updatedSources).toBe(false);
    expect(existsSync(join(root, 'dist')), 'custom mode writes no dist/ unless asked to').toBe(false);
    expect(existsSync(join(root, 'stacks')), 'custom mode writes no version record unless asked to').toBe(false);
    expect((await readReleaseTree(folder)).get('metadata.yaml')).toContain('clusterStack: v3-rc.1');
  });

  it('leaves the committed records and dist/ byte for byte as they were (a test tag changes nothing committed)', async () => {
    const root = newRoot();
    await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'stable' }, releaseDir: join(root, 'release') });
    const committed = () => new Map([...readTree(root)].filter(([p]) => !p.startsWith('release/')));
    const before = committed();
    const rc = StackVersion.parse('v2-rc.1');
    await releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: { kind: 'custom', versions: { clusterStack: rc, clusterAddon: rc, nodeImage: rc } }, releaseDir: join(root, 'release') });
    expect(committed()).toEqual(before);
    expect(before.size).toBeGreaterThan(5);
  });

  it('writes the records and dist/ for the custom versions only with record (--record)', async () => {
    const root = newRoot();
    const rc = StackVersion.parse('v3-rc.1');
    const summary = await releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'custom', versions: { clusterStack: rc, clusterAddon: rc, nodeImage: rc } }, releaseDir: join(root, 'release'), record: true });
    expect(summary.updatedSources).toBe(true);
    expect(clusterClassName(join(root, 'dist', TINY_BUNDLE))).toBe(`${TINY_NAME}-v3-rc.1`);
    expect((JSON.parse(readFileSync(join(root, TINY_RECORD), 'utf8')) as { clusterStack: string }).clusterStack).toBe('v3-rc.1');
    expect((await readReleaseTree(join(root, 'release', `${TINY_NAME}-v3-rc-1`))).get('metadata.yaml')).toBe(readFileSync(join(root, 'dist', TINY_BUNDLE, 'metadata.yaml'), 'utf8'));
  });

  it('refuses record outside custom mode', async () => {
    const root = newRoot();
    await expect(releaseCommand({ root, definitions: [tinyStack()], mode: { kind: 'hash' }, releaseDir: join(root, 'release'), record: true })).rejects.toThrow("'record' is for custom mode only");
    expect(readdirSync(root)).toEqual([]);
  });

  it('gives the addon and node image their own custom versions', async () => {
    const root = newRoot();
    const releaseDir = join(root, 'release');
    const summary = await releaseCommand({
      root,
      definitions: [tinyStack()],
      mode: { kind: 'custom', versions: { clusterStack: StackVersion.stable(7), clusterAddon: StackVersion.stable(2), nodeImage: StackVersion.parse('v1-beta.3') } },
      releaseDir,
    });
    expect(versionsOf(summary, TINY_BUNDLE)).toEqual({ clusterStack: 'v7', clusterAddon: 'v2', nodeImage: 'v1-beta.3' });
    expect(readdirSync(join(releaseDir, `${TINY_NAME}-v7`))).toContain(`${TINY_NAME}-cluster-addon-v2.tgz`);
    expect(metadataVersions(join(releaseDir, `${TINY_NAME}-v7`)).components).toEqual({ clusterAddon: 'v2', nodeImage: 'v1-beta.3' });
  });
});
