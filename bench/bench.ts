/**
 * `npm run bench` (`--json` for machine-readable output): how long the
 * generator takes on this machine, against the targets of the issue
 * "A tool people like to use":
 *
 *   - the whole shipped matrix, cold, < 5 s;
 *   - 500 stack × minor bundles < 60 s and < 1 GiB peak RSS, cost per bundle flat;
 *   - an edit to one stack rewrites only what changed;
 *   - side by side with the incumbent (csctl, helm package).
 *
 * Every measurement runs in a child process in a temp copy of the project,
 * so the working tree is never written to. Options: --json, --sizes 10,100,500.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { crdRoot } from '../lib/crd-root.ts';
import { clusterClassChart, releaseAssetNames } from '../lib/release/release-assets.ts';
import { readTgz } from '../lib/release/tgz.ts';
import { synthesize, type Bundle } from '../lib/synth.ts';
import { STACKS } from '../stacks/index.ts';
import type { ChildReport, ChildRequest, TreeChange } from './matrix-child.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TARGETS = { shippedColdMs: 5_000, bundles: 500, matrixMs: 60_000, matrixRssKiB: 1024 * 1024 } as const;

interface Timing {
  readonly medianMs: number;
  readonly runsMs: readonly number[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const timing = (runs: number[]): Timing => ({ medianMs: median(runs), runsMs: runs });
const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const log = (s: string): void => {
  process.stderr.write(`bench: ${s}\n`);
};

/** A copy of the project without node_modules (linked), .git, .cache, release/ and staging folders. */
function copyProject(into: string): string {
  const copy = join(into, 'project');
  const skip = new Set(['node_modules', '.git', '.cache', 'release', 'coverage']);
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => {
      const rel = relative(ROOT, source);
      return rel === '' || (!skip.has(rel.split('/')[0]) && !basename(source).includes('.tmp-'));
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Runs a command to completion: wall time from spawn to exit with every output byte read. */
function timedRun(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ ms: performance.now() - start, code, stdout, stderr }));
  });
}

async function checkedRun(what: string, command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ ms: number; stdout: string; stderr: string }> {
  const r = await timedRun(command, args, options);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}

// ---------------------------------------------------------------- cold runs

interface ColdResult {
  readonly bundles: number;
  readonly synth: Timing;
  readonly release: Timing;
  readonly synthNoTransformCache: Timing;
  readonly releaseNoTransformCache: Timing;
}

async function coldShipped(copy: string, work: string): Promise<ColdResult> {
  const cli = join(copy, 'bin', 'cluster-stacks.mjs');
  const noCache = { ...process.env, TSX_DISABLE_CACHE: '1' };
  const runs = async (args: (i: number) => string[], env?: NodeJS.ProcessEnv): Promise<Timing> => {
    const out: number[] = [];
    for (let i = 0; i < 3; i++) out.push((await checkedRun(`cluster-stacks ${args(i).join(' ')}`, process.execPath, [cli, ...args(i)], { cwd: copy, ...(env ? { env } : {}) })).ms);
    return timing(out);
  };
  log('cold: synth and release of the shipped matrix, 3 runs each (tsx transform cache on, then off)');
  const synth = await runs((i) => ['synth', '--output-dir', join(work, `synth-${i}`)]);
  const release = await runs((i) => ['release', '--release-dir', join(work, `release-${i}`)]);
  const synthNoTransformCache = await runs((i) => ['synth', '--output-dir', join(work, `synth-nc-${i}`)], noCache);
  const releaseNoTransformCache = await runs((i) => ['release', '--release-dir', join(work, `release-nc-${i}`)], noCache);
  const bundles = STACKS.reduce((n, d) => n + d.versions.length, 0);
  return { bundles, synth, release, synthNoTransformCache, releaseNoTransformCache };
}

// ---------------------------------------------------------------- matrices

interface ScaleResult {
  readonly bundles: number;
  /** Process start to exit, as seen by the parent. */
  readonly wallMs: number;
  /** Sum of the in-process phases (no Node or module start-up). */
  readonly workMs: number;
  readonly phases: Readonly<Record<string, number>>;
  readonly perBundleMs: number;
  /** GNU time's maximum resident set size, or the child's own maxRSS. */
  readonly peakRssKiB: number;
  readonly rssSource: '/usr/bin/time -v' | 'process.resourceUsage().maxRSS';
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = (): boolean => existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' }).stderr.includes('Maximum resident set size');

async function child(copy: string, request: ChildRequest, work: string): Promise<{ report: ChildReport; wallMs: number; peakRssKiB: number; rssSource: ScaleResult['rssSource'] }> {
  const script = join(copy, 'bench', 'matrix-child.ts');
  const nodeArgs = ['--import', 'tsx', script, JSON.stringify(request)];
  const gnu = hasGnuTime();
  const timeFile = join(work, `time-${request.kind}-${request.bundles}.txt`);
  const r = gnu
    ? await checkedRun(`matrix child ${request.kind} ${request.bundles}`, GNU_TIME, ['-v', '-o', timeFile, process.execPath, ...nodeArgs], { cwd: copy })
    : await checkedRun(`matrix child ${request.kind} ${request.bundles}`, process.execPath, nodeArgs, { cwd: copy });
  const report = JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildReport;
  const fromTime = gnu ? /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] : undefined;
  return {
    report,
    wallMs: r.ms,
    peakRssKiB: fromTime ? Number(fromTime) : report.maxRssKiB,
    rssSource: fromTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS',
  };
}

async function scaling(copy: string, work: string, sizes: readonly number[]): Promise<ScaleResult[]> {
  const out: ScaleResult[] = [];
  for (const bundles of sizes) {
    log(`scaling: ${bundles} bundles (synthesize, validate, plan release, write)`);
    const dir = join(work, `matrix-${bundles}`);
    mkdirSync(dir, { recursive: true });
    const { report, wallMs, peakRssKiB, rssSource } = await child(copy, { kind: 'scale', bundles, work: dir }, work);
    const workMs = Object.values(report.phases).reduce((a, b) => a + b, 0);
    out.push({ bundles, wallMs, workMs, phases: report.phases, perBundleMs: workMs / bundles, peakRssKiB, rssSource });
  }
  return out;
}

interface IncrementalResult {
  readonly bundles: number;
  readonly runs: readonly { readonly run: string; readonly ms: number; readonly tree: TreeChange }[];
}

async function incrementalRuns(copy: string, work: string, bundles: number): Promise<IncrementalResult> {
  log(`incremental: one stack edited in the ${bundles}-bundle matrix (full and --provider/--stack runs)`);
  const { report } = await child(copy, { kind: 'incremental', bundles, work: join(work, `matrix-${bundles}`) }, work);
  const trees = report.trees ?? {};
  return { bundles, runs: Object.entries(report.phases).map(([run, t]) => ({ run, ms: t, tree: trees[run] })) };
}

// ---------------------------------------------------------------- incumbents

interface IncumbentResult {
  readonly csctl: { readonly available: false; readonly reason: string };
  readonly helm:
    | { readonly available: false; readonly reason: string }
    | {
      readonly available: true;
      readonly binary: string;
      readonly version: string;
      readonly charts: number;
      /** `helm package` per chart, process included. */
      readonly helmPerChartMs: number;
      /** `helm version`: the process start-up inside the figure above. */
      readonly helmStartMs: number;
      /** clusterClassChart() per chart, in process. */
      readonly oursPerChartMs: number;
      readonly ratio: number;
      readonly helmBytes: number;
      readonly oursBytes: number;
    };
}

function csctl(): IncumbentResult['csctl'] {
  log('incumbent: csctl via the Go module proxy');
  const go = spawnSync('go', ['list', '-m', 'github.com/SovereignCloudStack/csctl@latest'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' } });
  if (go.error) return { available: false, reason: `go is not available (${go.error.message})` };
  if (go.status === 0) return { available: false, reason: `the proxy answers (${go.stdout.trim()}), but building and timing csctl is not part of this bench yet` };
  const text = `${go.stderr}`.replace(/\s+/g, ' ').trim();
  const status = /\b[45]\d\d(?: [A-Z][A-Za-z]*)+/.exec(text)?.[0];
  return { available: false, reason: `cannot be built here: \`go list -m github.com/SovereignCloudStack/csctl@latest\` fails${status ? ` with ${status}` : ''} (${text.slice(0, 220)})` };
}

async function helmVsOurs(work: string): Promise<IncumbentResult['helm']> {
  log('incumbent: helm package vs our chart packaging');
  const tools = spawnSync('bash', [join(ROOT, 'scripts', 'e2e-tools.sh'), 'helm'], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
  if (tools.status !== 0) {
    const last = tools.stderr.trim().split('\n').pop() ?? '';
    return { available: false, reason: tools.status === 2 ? `n/a: Go is missing (${last})` : `n/a: scripts/e2e-tools.sh helm failed (${last})` };
  }
  const helm = /^helm=(.+)$/m.exec(tools.stdout)?.[1];
  if (!helm) return { available: false, reason: 'n/a: scripts/e2e-tools.sh printed no helm= line' };
  const version = spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).stdout.trim();

  const bundles: Bundle[] = synthesize(STACKS);
  const charts: { dir: string; ours: Bundle }[] = [];
  for (const bundle of bundles) {
    // The very chart folder our archive holds, unpacked: both tools package the same files.
    const archive = await clusterClassChart(bundle);
    const files = await readTgz(archive, releaseAssetNames(bundle).clusterClassChart);
    const dir = join(work, 'charts');
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    charts.push({ dir: join(dir, releaseAssetNames(bundle).chartName), ours: bundle });
  }
  const out = join(work, 'helm-out');
  mkdirSync(out, { recursive: true });
  const helmRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const c of charts) helmRuns.push((await checkedRun('helm package', helm, ['package', c.dir, '-d', out], { cwd: work })).ms);
  }
  const startRuns: number[] = [];
  for (let i = 0; i < 5; i++) startRuns.push((await checkedRun('helm version', helm, ['version', '--short'], { cwd: work })).ms);
  for (const c of charts) await clusterClassChart(c.ours); // warm-up
  const oursRuns: number[] = [];
  let oursBytes = 0;
  for (let round = 0; round < 20; round++) {
    for (const c of charts) {
      const start = performance.now();
      const tgz = await clusterClassChart(c.ours);
      oursRuns.push(performance.now() - start);
      if (round === 0) oursBytes += tgz.length;
    }
  }
  const helmBytes = charts.reduce((n, c) => n + statSync(join(out, `${basename(c.dir)}-${c.ours.versions.clusterStack.toString()}.tgz`)).size, 0);
  const helmPerChartMs = median(helmRuns);
  const oursPerChartMs = median(oursRuns);
  return { available: true, binary: helm, version, charts: charts.length, helmPerChartMs, helmStartMs: median(startRuns), oursPerChartMs, ratio: helmPerChartMs / oursPerChartMs, helmBytes, oursBytes };
}

// ---------------------------------------------------------------- report

interface BenchResult {
  readonly machine: { readonly cpus: number; readonly cpu: string; readonly memoryGiB: number; readonly node: string; readonly loadAverage: { readonly start: number; readonly end: number } };
  readonly cold: ColdResult;
  readonly scaling: readonly ScaleResult[];
  /** Marginal cost per bundle between consecutive sizes, in ms. */
  readonly marginalMsPerBundle: readonly { readonly from: number; readonly to: number; readonly ms: number }[];
  readonly linear: boolean;
  readonly incremental: IncrementalResult | undefined;
  readonly incumbents: IncumbentResult;
  readonly targets: readonly { readonly target: string; readonly measured: string; readonly met: boolean }[];
  readonly totalMs: number;
}

function markdown(r: BenchResult): string {
  const lines: string[] = [];
  const table = (head: readonly string[], rows: readonly (readonly string[])[]) => {
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`), '');
  };
  lines.push(`## Benchmark (${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node})`, '');
  const busy = Math.max(r.machine.loadAverage.start, r.machine.loadAverage.end) > r.machine.cpus;
  lines.push(`1-minute load average ${r.machine.loadAverage.start.toFixed(1)} at the start, ${r.machine.loadAverage.end.toFixed(1)} at the end${busy ? ` (above the ${r.machine.cpus} cores: other processes competed, times are inflated)` : ''}.`, '');
  lines.push('### Targets', '');
  table(['target', 'measured', 'met'], r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**']));

  lines.push(`### Shipped matrix, cold (${r.cold.bundles} bundles; new process each run, process start to last byte, median of 3)`, '');
  const cold = (t: Timing) => `${ms(t.medianMs)} (${t.runsMs.map((x) => ms(x)).join(', ')})`;
  table(['command', 'tsx transform cache warm', 'TSX_DISABLE_CACHE=1'], [
    ['`synth --output-dir <tmp>`', cold(r.cold.synth), cold(r.cold.synthNoTransformCache)],
    ['`release --release-dir <tmp>`', cold(r.cold.release), cold(r.cold.releaseNoTransformCache)],
  ]);

  lines.push(`### Scaling (synthetic matrices cloned from ${STACKS.map((d) => `${d.provider}/${d.stack}`).join(', ')}; one child process each)`, '');
  const phaseNames = [...new Set(r.scaling.flatMap((s) => Object.keys(s.phases)))];
  table(['bundles', 'process wall', 'work (in process)', 'per bundle', ...phaseNames, 'peak RSS'], r.scaling.map((s) => [
    String(s.bundles), ms(s.wallMs), ms(s.workMs), ms(s.perBundleMs), ...phaseNames.map((p) => ms(s.phases[p] ?? 0)), mib(s.peakRssKiB),
  ]));
  const marginal = r.marginalMsPerBundle.map((m) => `${m.from}→${m.to}: ${ms(m.ms)}/bundle`).join(', ');
  lines.push(`Marginal cost ${marginal}: ${r.linear ? 'roughly flat, growth is linear' : '**not flat**, growth is worse than linear'}. Peak RSS from ${r.scaling[0]?.rssSource ?? 'n/a'}. "plan release" synthesizes twice (content hashes, then at the decided versions) and validates again.`, '');

  if (r.incremental) {
    lines.push(`### Incremental: one stack (3 bundles) edited in the ${r.incremental.bundles}-bundle matrix`, '');
    table(['run', 'time', 'files in tree', 'files rewritten', 'content changed'], r.incremental.runs.map((x) => [x.run, ms(x.ms), String(x.tree.files), String(x.tree.rewritten), String(x.tree.changed)]));
    lines.push('There is no automatic change detection: a full `synth`/`release` re-synthesizes every bundle and swaps in the whole tree (every file rewritten, new inodes) even when 3 bundles changed. `--provider/--stack/--kubernetes` synthesizes and replaces only the selected bundle folders; choosing them is up to the caller. A full `release` also drops release folders of superseded versions from the release directory; a filtered one keeps them.', '');
  }

  lines.push('### Side by side with the incumbent', '');
  const h = r.incumbents.helm;
  table(['tool', 'result'], [
    ['csctl', `n/a: ${r.incumbents.csctl.reason}`],
    h.available
      ? ['`helm package` vs our `clusterClassChart()`', `${h.charts} cluster-class charts (the same unpacked folders): helm ${ms(h.helmPerChartMs)}/chart (a process each; \`helm version\` alone ${ms(h.helmStartMs)}), ours ${ms(h.oursPerChartMs)}/chart in process: **${h.ratio.toFixed(0)}×**; archives ${h.helmBytes} vs ${h.oursBytes} bytes (${h.version})`]
      : ['`helm package`', h.reason],
  ]);
  lines.push(`Total bench time: ${ms(r.totalMs)}.`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const sizesArg = args.indexOf('--sizes');
  const sizes = sizesArg >= 0 ? (args[sizesArg + 1] ?? '').split(',').map(Number) : [10, 100, 500];
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes '${args[sizesArg + 1]}': expected comma-separated bundle counts, e.g. 10,100,500`);

  const started = performance.now();
  const loadAtStart = loadavg()[0];
  // The copy lives in the temp folder, away from the project's crds/.
  process.env.CLUSTER_STACK_CRDS = crdRoot();
  const work = mkdtempSync(join(tmpdir(), 'cs-bench-'));
  try {
    const copy = copyProject(work);
    const cold = await coldShipped(copy, work);
    const scale = await scaling(copy, work, sizes);
    const largest = Math.max(...sizes);
    const incremental = await incrementalRuns(copy, work, largest);
    const incumbents: IncumbentResult = { csctl: csctl(), helm: await helmVsOurs(work) };

    const marginalMsPerBundle = scale.slice(1).map((s, i) => ({ from: scale[i].bundles, to: s.bundles, ms: (s.workMs - scale[i].workMs) / (s.bundles - scale[i].bundles) }));
    // Flat: the marginal cost of the largest step is within 50% of the smallest one.
    const linear = marginalMsPerBundle.length === 0 || marginalMsPerBundle[marginalMsPerBundle.length - 1].ms <= 1.5 * Math.min(...marginalMsPerBundle.map((m) => m.ms));
    const at = scale.find((s) => s.bundles === TARGETS.bundles) ?? scale[scale.length - 1];
    const coldTotal = cold.synth.medianMs + cold.release.medianMs;
    const targets = [
      { target: `shipped matrix cold: synth < ${ms(TARGETS.shippedColdMs)}`, measured: ms(cold.synth.medianMs), met: cold.synth.medianMs < TARGETS.shippedColdMs },
      { target: `shipped matrix cold: release < ${ms(TARGETS.shippedColdMs)}`, measured: ms(cold.release.medianMs), met: cold.release.medianMs < TARGETS.shippedColdMs },
      { target: `shipped matrix cold: synth + release < ${ms(TARGETS.shippedColdMs)}`, measured: ms(coldTotal), met: coldTotal < TARGETS.shippedColdMs },
      { target: `${at.bundles} bundles (synth + validate + release plan + write) < ${ms(TARGETS.matrixMs)}`, measured: `${ms(at.wallMs)} process wall`, met: at.wallMs < TARGETS.matrixMs },
      { target: `${at.bundles} bundles peak RSS < 1 GiB`, measured: mib(at.peakRssKiB), met: at.peakRssKiB < TARGETS.matrixRssKiB },
      { target: 'cost per bundle roughly flat (linear growth)', measured: marginalMsPerBundle.map((m) => `${ms(m.ms)}`).join(' → ') || 'n/a', met: linear },
    ];
    const cpu = cpus();
    const result: BenchResult = {
      machine: { cpus: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: { start: loadAtStart, end: loadavg()[0] } },
      cold,
      scaling: scale,
      marginalMsPerBundle,
      linear,
      incremental,
      incumbents,
      targets,
      totalMs: performance.now() - started,
    };
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : markdown(result));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
