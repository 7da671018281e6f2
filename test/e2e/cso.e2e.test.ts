/**
 * The release folders against the Cluster Stack Operator's release-loading
 * rules (test/e2e/cso-check, which re-implements them for operator
 * v0.2.0-alpha.1 because the operator's own module cannot be fetched here)
 * plus, with -helm, the operator's exact `helm template` of the cluster-class
 * chart. Releases in stable mode (dependencies not vendored, and vendored),
 * and a development build in hash mode, must all load.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTgz, readTgz } from '../../lib/bytes/tgz.ts';
import { checkUpgrade, formatFindings } from '../../lib/release/upgrade-check.ts';
import { recordCommits, releaseFromGit } from '../../lib/release/upgrade-history.ts';
import { sideFromReleaseFolder } from '../../lib/release/upgrade-side.ts';
import { readEditedReleaseTree } from '../../lib/release/release-reader.ts';
import { e2e, e2eEnabled, helmEnv, type E2eContext, type ReleaseSet } from './support/context.ts';
import { assertSuccess, describeRun, run } from './support/run.ts';

const ctx: E2eContext | undefined = e2eEnabled ? e2e() : undefined;

const sets: readonly [string, (c: E2eContext) => ReleaseSet][] = [
  ['stable mode', (c) => c.stable],
  ['stable mode, dependencies vendored', (c) => c.vendored],
  ['hash mode (development build)', (c) => c.hash],
];

describe.skipIf(!ctx)('cso-check: the operator loads every release', () => {
  it.each(sets)('%s', async (_label, pick) => {
    const c = ctx as E2eContext;
    const set = pick(c);
    expect(set.releases.length).toBeGreaterThan(0);
    const r = assertSuccess(
      await run(c.tools.csoCheck, ['-helm', c.tools.helm, '-namespace', 'e2e-stacks', ...set.releases.map((rel) => rel.dir)], { env: helmEnv(join(c.work, 'helm-cso')) }),
      'cso-check',
    );
    expect(r.stdout.trim().split('\n').sort(), describeRun(r)).toEqual(set.releases.map((rel) => `ok ${rel.tag}`).sort());
  });

  it('hash mode tags are development versions the operator accepts (v0-sha-<hash>)', () => {
    const c = ctx as E2eContext;
    for (const rel of c.hash.releases) expect(rel.tag).toMatch(/^[a-z0-9]+-[a-z0-9]+-\d+-\d+-v0-sha-[0-9a-z]+$/);
  });
});

/**
 * Upgrades through the operator's own flow (cso-check -upgrade: the
 * ClusterAddon controller's BeforeClusterUpgrade stages, getOldReleaseObjects,
 * getNewReleaseObjects and cleanUpResources, with real helm and the
 * overwrite.yaml rendering), on the project's own history rebuilt from git
 * (v1, v2, v3 of docker/scs/1-34, vendored from the stand-in charts), and the
 * fast check in `release` on the same release folders: both must agree.
 */
describe.skipIf(!ctx)('upgrades through the operator flow, and the fast check agrees', () => {
  const BUNDLE = 'docker/scs/1-34';
  let dirs: Map<string, string>;
  let objects: string;
  let helmHome: Record<string, string>;

  async function writeRelease(dir: string, files: readonly { path: string; content: string | Uint8Array }[]): Promise<void> {
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.path), f.content);
  }

  beforeAll(async () => {
    const c = ctx as E2eContext;
    const base = join(c.work, 'upgrade-history');
    dirs = new Map();
    for (const { commit, clusterStack } of recordCommits(c.root, BUNDLE)) {
      const { tag, files } = await releaseFromGit(c.root, commit, BUNDLE, { kind: 'folder', path: c.chartRepository.dir });
      await writeRelease(join(base, tag), files);
      dirs.set(clusterStack, join(base, tag));
    }
    objects = join(c.work, 'upgrade-cluster-objects.yaml');
    writeFileSync(objects, yaml.dump({
      Cluster: {
        apiVersion: 'cluster.x-k8s.io/v1beta1',
        kind: 'Cluster',
        metadata: { name: 'demo', namespace: 'clusters' },
        spec: { controlPlaneEndpoint: { host: '203.0.113.10', port: 6443 }, topology: { class: 'docker-scs-1-34-v3', version: 'v1.34.7' } },
      },
    }));
    helmHome = helmEnv(join(c.work, 'helm-upgrade'));
  });

  const upgrade = (from: string, to: string) => {
    const c = ctx as E2eContext;
    return run(c.tools.csoCheck, ['-upgrade', '-helm', c.tools.helm, '-overwrite-render', c.tools.overwriteRender, '-objects', objects, from, to], { env: helmHome });
  };
  const vendoredDir = (prefix: string): string => {
    const rel = (ctx as E2eContext).vendored.releases.find((x) => x.tag.startsWith(prefix));
    if (!rel) throw new Error(`no vendored release ${prefix}*`);
    return rel.dir;
  };
  // The folded and dropped layouts are release folders edited by hand, as the operator loads them unchecked.
  const gate = async (from: string, to: string) => formatFindings(checkUpgrade({ from: await sideFromReleaseFolder(from, readEditedReleaseTree), to: await sideFromReleaseFolder(to, readEditedReleaseTree), kind: 'same-minor' }));

  it('the history holds v1, v2 and v3 as releases the operator loads', async () => {
    const c = ctx as E2eContext;
    expect([...dirs.keys()]).toEqual(expect.arrayContaining(['v1', 'v2', 'v3']));
    const r = assertSuccess(await run(c.tools.csoCheck, ['-helm', c.tools.helm, ...dirs.values()], { env: helmHome }), 'cso-check');
    expect(r.stdout.trim().split('\n')).toEqual([...dirs.values()].map((d) => `ok ${basename(d)}`));
  });

  it('v1 → v3 fails in the operator as it does on a management cluster (kubelet-csr-approver came with v2), and the gate refuses the path', async () => {
    const r = await upgrade(dirs.get('v1') as string, dirs.get('v3') as string);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toContain('failed to get old cluster stack object list from helm charts: failed to template new helm chart: failed to run helm template for');
    expect(r.stderr).toContain('docker-scs-1-34-cluster-addon-v1/kubelet-csr-approver');
    expect(r.stderr).toContain('non-absolute URLs should be in form of repo_name/path_to_chart');
    // The stages themselves went through: only the old-object listing fails.
    expect(r.stdout).toContain('stage apply kubelet-csr-approver');
    const problems = await gate(dirs.get('v1') as string, dirs.get('v3') as string);
    expect(problems).toEqual([expect.stringContaining('clusteraddon.yaml /addonStages/AfterControlPlaneInitialized/1/name: addon "kubelet-csr-approver" is new in docker/scs/1-34 v3 and docker/scs/1-34 v1 has no folder for it')]);
  });

  it('v2 → v3 keeps Kubernetes and the addon version: the operator runs no stage; the gate agrees', async () => {
    const r = assertSuccess(await upgrade(dirs.get('v2') as string, dirs.get('v3') as string), 'cso-check -upgrade');
    expect(r.stdout).toBe(['stage none: same Kubernetes and cluster addon version', 'upgrade ok docker-scs-1-34-v2 -> docker-scs-1-34-v3', ''].join('\n'));
    expect(await gate(dirs.get('v2') as string, dirs.get('v3') as string)).toEqual([]);
  });

  it('1.33 → 1.34 at the current version: every stage applies and no addon object is deleted; the gate agrees', async () => {
    const r = assertSuccess(await upgrade(vendoredDir('docker-scs-1-33-'), vendoredDir('docker-scs-1-34-')), 'cso-check -upgrade');
    expect(r.stdout).toMatch(/^stage apply cni\nstage apply kubelet-csr-approver\nstage apply metrics-server\nupgrade ok docker-scs-1-33-v\d+ -> docker-scs-1-34-v\d+\n$/);
    expect(await gate(vendoredDir('docker-scs-1-33-'), vendoredDir('docker-scs-1-34-'))).toEqual([]);
  });

  it('the layout that works with the operator as it is: the new addon rides in a folder the old release has', async () => {
    const c = ctx as E2eContext;
    const v3 = dirs.get('v3') as string;
    const folded = join(c.work, 'upgrade-folded', basename(v3));
    await writeRelease(folded, await foldAddon(v3, 'kubelet-csr-approver', 'metrics-server'));
    const r = assertSuccess(await upgrade(dirs.get('v1') as string, folded), 'cso-check -upgrade (folded layout)');
    expect(r.stdout).toBe(['stage apply cni', 'stage apply metrics-server', 'upgrade ok docker-scs-1-34-v1 -> docker-scs-1-34-v3', ''].join('\n'));
    expect(await gate(dirs.get('v1') as string, folded)).toEqual([]);
  });

  it('an addon left out of BeforeClusterUpgrade is deleted by the clean-up, and the gate says so', async () => {
    const c = ctx as E2eContext;
    const v3 = vendoredDir('docker-scs-1-34-');
    const dropped = join(c.work, 'upgrade-dropped', basename(v3));
    const files = await releaseFolderFiles(v3);
    const config = yaml.load(files.get('clusteraddon.yaml') as string) as { addonStages: Record<string, { name: string }[]> };
    config.addonStages.BeforeClusterUpgrade = config.addonStages.BeforeClusterUpgrade.filter((s) => s.name !== 'metrics-server');
    files.set('clusteraddon.yaml', yaml.dump(config));
    await writeRelease(dropped, [...files].map(([path, content]) => ({ path, content })));
    const r = assertSuccess(await upgrade(vendoredDir('docker-scs-1-33-'), dropped), 'cso-check -upgrade (metrics-server not in BeforeClusterUpgrade)');
    expect(r.stdout).toContain('delete v1 ConfigMap kube-system/metrics-server-e2e-values (clean-up)');
    expect(await gate(vendoredDir('docker-scs-1-33-'), dropped)).toEqual([expect.stringContaining('addon "metrics-server" is applied after creation but not in BeforeClusterUpgrade')]);
  });
});

/** A release folder's files (path → content), the archives as bytes. */
async function releaseFolderFiles(dir: string): Promise<Map<string, string | Buffer>> {
  const out = new Map<string, string | Buffer>();
  for (const name of readdirSync(dir)) out.set(name, name.endsWith('.tgz') ? readFileSync(join(dir, name)) : readFileSync(join(dir, name), 'utf8'));
  return out;
}

/**
 * The release with addon `moved` folded into the chart folder `into`: its
 * dependency, vendored archive and values go into `into`, its folder and
 * stages go away. SHA256SUMS is rewritten; the operator does not read it.
 */
async function foldAddon(dir: string, moved: string, into: string): Promise<{ path: string; content: string | Buffer }[]> {
  const files = await releaseFolderFiles(dir);
  const archiveName = [...files.keys()].find((n) => n.includes('-cluster-addon-')) as string;
  const entries = await readTgz(files.get(archiveName) as Buffer, archiveName);
  const next = new Map<string, Buffer>();
  for (const [path, content] of entries) {
    if (!path.startsWith(`${moved}/`)) next.set(path, content);
    else if (path.startsWith(`${moved}/charts/`)) next.set(`${into}/${path.slice(moved.length + 1)}`, content);
  }
  const chart = yaml.load((entries.get(`${into}/Chart.yaml`) as Buffer).toString('utf8')) as { dependencies: unknown[] };
  const movedChart = yaml.load((entries.get(`${moved}/Chart.yaml`) as Buffer).toString('utf8')) as { dependencies: unknown[] };
  chart.dependencies.push(...movedChart.dependencies);
  next.set(`${into}/Chart.yaml`, Buffer.from(yaml.dump(chart)));
  const values = { ...(yaml.load((entries.get(`${into}/values.yaml`) as Buffer).toString('utf8')) as object), ...(yaml.load((entries.get(`${moved}/values.yaml`) as Buffer).toString('utf8')) as object) };
  next.set(`${into}/values.yaml`, Buffer.from(yaml.dump(values)));
  files.set(archiveName, createTgz([...next].map(([path, content]) => ({ path, content }))));
  const config = yaml.load(files.get('clusteraddon.yaml') as string) as { addonStages: Record<string, { name: string }[]> };
  for (const hook of Object.keys(config.addonStages)) config.addonStages[hook] = config.addonStages[hook].filter((s) => s.name !== moved);
  files.set('clusteraddon.yaml', yaml.dump(config));
  files.delete('SHA256SUMS');
  return [...files].map(([path, content]) => ({ path, content }));
}
