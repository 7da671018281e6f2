import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { TestProject } from 'vitest/node';
import { replaceTree } from '../../../lib/bytes/atomic-write.ts';
import { crdRoot } from '../../../lib/pipeline/crd-root.ts';
import { releaseAssetNames } from '../../../lib/release/release-assets.ts';
import { planRelease, releaseTree, type ReleasePlan } from '../../../lib/release/release.ts';
import type { VersionMode } from '../../../lib/release/versioning.ts';
import type { ChartSource } from '../../../lib/release/vendor.ts';
import { STACKS } from '../../../stacks/index.ts';
import { helmEnv, type E2eContext, type E2eTools, type ReleaseInfo, type ReleaseSet } from './types.ts';
import { assertSuccess, run } from './run.ts';
import { createStandInCharts, type ChartDependency } from './stand-in-charts.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Once per e2e run: builds (or finds cached) the tools with
 * scripts/e2e-tools.sh, writes the release folders the tests consume into a
 * scratch folder (planRelease + releaseTree, so nothing in the checkout is
 * touched), packages stand-ins for the addon dependencies and serves them as
 * a Helm repository on 127.0.0.1.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tools = await buildTools();
  const work = mkdtempSync(join(tmpdir(), 'cluster-stacks-e2e-'));
  let server: Server | undefined;
  const teardown = async (): Promise<void> => {
    if (server) await new Promise<void>((done) => server?.close(() => done()));
    if (process.env.E2E_KEEP === '1') console.error(`e2e: kept the scratch folder ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
  try {
    const stable = await planRelease({ root, definitions: STACKS, mode: { kind: 'stable' } });

    // Stand-ins for every addon dependency, served as a Helm repository.
    const repoDir = join(work, 'chart-repository');
    await createStandInCharts(tools.helm, helmEnv(join(work, 'helm-setup')), addonDependencies(stable), join(work, 'stand-in-sources'), repoDir);
    server = await serve(repoDir);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the chart repository server has no TCP address');
    const url = `http://127.0.0.1:${address.port}`;
    assertSuccess(await run(tools.helm, ['repo', 'index', repoDir, '--url', url], { env: helmEnv(join(work, 'helm-setup')) }), 'helm repo index of the stand-in charts');

    const vendorSource: ChartSource = { kind: 'folder', path: repoDir };
    const ctx: E2eContext = {
      root,
      crds: crdRoot(),
      work,
      tools,
      chartRepository: { url, dir: repoDir },
      stable: write(stable, join(work, 'release-stable')),
      vendored: write(await plan({ kind: 'stable' }, vendorSource), join(work, 'release-vendored')),
      hash: write(await plan({ kind: 'hash' }), join(work, 'release-hash')),
    };
    project.provide('e2e', ctx);
    console.error(`e2e: ${ctx.stable.releases.length} releases (${ctx.stable.releases.map((r) => r.tag).join(', ')}) in ${work}; stand-in chart repository ${url}`);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}

function plan(mode: VersionMode, vendor?: ChartSource): Promise<ReleasePlan> {
  return planRelease({ root, definitions: STACKS, mode, ...(vendor ? { vendor } : {}) });
}

/** The tools these tests use (package.json's test:e2e builds the same list first). */
const TOOLS = ['helm', 'clusterctl', 'cso-check', 'overwrite-render', 'k8s-check'] as const;

/** Runs scripts/e2e-tools.sh (progress on this terminal) and reads its name=path lines. */
async function buildTools(): Promise<E2eTools> {
  const script = join(root, 'scripts', 'e2e-tools.sh');
  const stdout = await new Promise<string>((done, fail) => {
    const child = spawn('bash', [script, ...TOOLS], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(Buffer.concat(out).toString('utf8'));
      else fail(new Error(`scripts/e2e-tools.sh exited with ${String(code)}${code === 2 ? ' (is Go >= 1.26 installed and in PATH?)' : ''}; its messages are above`));
    });
  });
  const paths = new Map(stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  const need = (name: string): string => {
    const p = paths.get(name);
    if (!p || !existsSync(p)) throw new Error(`scripts/e2e-tools.sh did not report a binary for ${name}:\n${stdout}`);
    return p;
  };
  return { helm: need('helm'), clusterctl: need('clusterctl'), csoCheck: need('cso-check'), overwriteRender: need('overwrite-render'), k8sCheck: need('k8s-check') };
}

function write(plan: ReleasePlan, dir: string): ReleaseSet {
  replaceTree(dir, releaseTree(plan), 'release');
  const releases: ReleaseInfo[] = plan.entries.map((e) => {
    const b = e.bundle;
    const metadata = b.files.find((f) => f.path === 'metadata.yaml');
    const kubernetes = (yaml.load(metadata?.content ?? '') as { versions?: { kubernetes?: string } } | null)?.versions?.kubernetes;
    if (!kubernetes) throw new Error(`${b.path}: metadata.yaml has no versions.kubernetes`);
    const names = releaseAssetNames(b);
    // The operator's release name: the first four dash-separated parts of the tag.
    const releaseName = b.releaseTag.split('-').slice(0, 4).join('-');
    return {
      tag: b.releaseTag,
      dir: join(dir, b.releaseTag),
      bundlePath: b.path,
      distDir: join(root, 'dist', b.path),
      provider: b.identity.provider,
      stack: b.identity.stack,
      kubernetes,
      clusterClassName: b.clusterClassName,
      clusterClassChart: names.clusterClassChart,
      clusterAddonArchive: names.clusterAddonArchive,
      releaseName,
    };
  });
  return { dir, releases };
}

/** Every addon dependency (name and version) of the planned bundles, once. */
function addonDependencies(plan: ReleasePlan): ChartDependency[] {
  const seen = new Map<string, ChartDependency>();
  for (const e of plan.entries) {
    for (const f of e.bundle.files) {
      const parts = f.path.split('/');
      if (parts.length !== 3 || parts[0] !== 'cluster-addon' || parts[2] !== 'Chart.yaml') continue;
      const chart = yaml.load(f.content) as { dependencies?: ChartDependency[] } | null;
      for (const d of chart?.dependencies ?? []) seen.set(`${d.name}@${d.version}`, d);
    }
  }
  return [...seen.values()];
}

/** A static file server for one folder on 127.0.0.1 (an ephemeral port). */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const path = join(dir, name);
    if (req.method !== 'GET' || name === '' || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip' }).end(readFileSync(path));
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}
