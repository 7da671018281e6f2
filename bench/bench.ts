/**
 * `npm run bench`: whole-process wall times of the real commands against the
 * targets of issue "Faster than csctl, per bundle and per run", printed and
 * written to bench/RESULTS.md (the README links it).
 *
 * Options:
 *   --runs N           runs of each single command (default 7)
 *   --matrix-runs N    runs of each synthetic-matrix command (default 5)
 *   --sizes a,b,c      synthetic matrix sizes, ascending (default 150,300,500: all above the size that goes to worker threads, so the steps compare like with like)
 *   --only g1,g2       only these groups: help, bundle, shipped, matrix,
 *                      incremental, helm, csctl (then nothing is written
 *                      unless --out is given)
 *   --out FILE         where to write the Markdown (default bench/RESULTS.md)
 *
 * Environment: CSCTL_BIN names a csctl binary to compare with.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { csctlInput, clusterClassChartFolder, helmBinary, onlyReleaseFolder } from './incumbents.ts';
import { hostShare, readCpuCounters } from './host-share.ts';
import { markCleanup, probeFileCreation, waitAfterCleanup } from './quiet-files.ts';
import { assertGnuTime, runOnce, sample, sampleInTurn, type Invocation, type Sample } from './measure.ts';
import { benchProject, BUNDLES_ENV, EDIT_ENV } from './project-copy.ts';
import { markdown, mib, sec, type MatrixRow, type Results, type Row, type Target } from './report.ts';
import { compare, snapshot, type TreeChange } from './tree-change.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GROUPS = ['help', 'bundle', 'shipped', 'matrix', 'incremental', 'helm', 'csctl'] as const;
type Group = (typeof GROUPS)[number];
const TARGET_MS = { help: 150, bundle: 250, shipped: 350, perBundle: 5, incrementalShare: 0.1 } as const;
const TARGET_RSS_KIB = 1024 * 1024;
/** The bundle of the one-bundle rows, helm and csctl. */
const BUNDLE = { provider: 'openstack', stack: 'scs', kubernetes: '1.34' } as const;
/** The fixed work the 500-bundle release runs in turn with: level-9 deflate, a third of that release's CPU time. */
const FIXED_WORK_ROUNDS = 300;
const FIXED_WORK_INPUT = 'dist/openstack/scs/1-34/cluster-class.yaml';
const FIXED_WORK = `const z = require('node:zlib'); const b = require('node:fs').readFileSync(process.argv[1]); for (let i = 0; i < ${FIXED_WORK_ROUNDS}; i++) z.deflateRawSync(b, { level: 9 });`;

/**
 * metrics-server chart versions the incremental runs give the edited stack
 * in turn (those with a values contract): each differs from the one before,
 * the first from the shipped 3.13.0, so each run is a real change.
 */
const EDITS = ['3.12.2', '3.12.1', '3.12.0', '3.11.0', '3.13.0', '3.12.2'];

/** Files, folders and bytes below `dir`. */
function treeSize(dir: string): { files: number; folders: number; bytes: number } {
  const size = { files: 0, folders: 0, bytes: 0 };
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        size.folders++;
        walk(p);
      } else {
        size.files++;
        size.bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return size;
}

const log = (s: string): void => {
  process.stderr.write(`bench: ${s}\n`);
};

interface Options {
  readonly runs: number;
  readonly matrixRuns: number;
  readonly sizes: readonly number[];
  readonly groups: ReadonlySet<Group>;
  readonly out: string | undefined;
}

function options(args: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
  };
  const count = (flag: string, fallback: number): number => {
    const v = value(flag);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} '${v}': expected a positive whole number`);
    return n;
  };
  const sizes = (value('--sizes') ?? '150,300,500').split(',').map(Number);
  if (sizes.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= sizes[i - 1]))) throw new Error(`--sizes '${value('--sizes')}': expected ascending bundle counts, e.g. 150,300,500`);
  const only = value('--only')?.split(',');
  const unknown = only?.filter((g) => !(GROUPS as readonly string[]).includes(g)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown group(s) ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}`);
  return {
    runs: count('--runs', 7),
    matrixRuns: count('--matrix-runs', 5),
    sizes,
    groups: new Set((only ?? GROUPS) as Group[]),
    out: value('--out') ?? (only ? undefined : join(ROOT, 'bench', 'RESULTS.md')),
  };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  assertGnuTime();
  const waitedSeconds = await waitAfterCleanup(log);
  const started = performance.now();
  const loadStart = loadavg();
  const countersStart = readCpuCounters();
  const work = mkdtempSync(join(tmpdir(), 'cs-bench-'));
  try {
    const project = benchProject(ROOT, work, log);
    const fileCreation = probeFileCreation(join(work, 'file-creation-probe'));
    // The bench's own tsx loader must not reach the measured processes.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
    let n = 0;
    const fresh = (name: string): string => join(work, `${name}-${n++}`);
    const cli = (args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Invocation => ({
      command: join(project, 'bin', 'cluster-stacks'),
      args: [...args],
      cwd: work,
      env: { ...env, ...extraEnv },
    });
    const selectBundle = ['--provider', BUNDLE.provider, '--stack', BUNDLE.stack, '--kubernetes', BUNDLE.kubernetes];
    const rows: Row[] = [];
    const matrix: MatrixRow[] = [];
    const targets: Target[] = [];
    const notes: string[] = [
      `The commands run the \`cluster-stacks\` command (bin/cluster-stacks, which starts Node.js on the compiled CLI; .build/ fresh) of a temp copy of the project, whose stacks/index.ts exports the shipped stacks unchanged or, with $${BUNDLES_ENV}=N, a synthetic matrix of N bundles cloned from them (bench/matrix.ts); the copy is built first (scripts/build.mjs). Nothing is written into the checkout.`,
      '"Cold" means a new process with nothing in memory and an empty output folder; .build/ (compiled JavaScript and the parsed-CRD cache .build/crd-json/) is there, as `npm ci` leaves it. The operating system\'s file cache is warm (dropping it would disturb the other users of the machine); the row "without .build/crd-json" shows what that cache saves.',
      'The synths of the matrix sizes run in turn (one of each size per round, the order reversed every other round), and so do the full synths and the edits of "One stack edited": this machine\'s speed drifts by tens of percent over minutes, and figures compared with each other (the linearity steps, the edit\'s share) must come from the same minutes.',
      '`release` rows use `--mode hash` (a development build written in full to a temp `--release-dir`; version records and dist/ untouched), the equivalent of `csctl create --mode hash`.',
    ];

    const one = async (what: string, args: readonly string[], runs: number, targetMs?: number, extraEnv?: NodeJS.ProcessEnv): Promise<Sample> => {
      log(`${what}: ${runs} runs`);
      const s = await sample(runs, () => cli(args.map((a) => (a === '<tmp>' ? fresh('out') : a)), extraEnv));
      rows.push({ what, command: `cluster-stacks ${args.join(' ')}`, sample: s, ...(targetMs !== undefined ? { targetMs } : {}) });
      if (targetMs !== undefined) targets.push({ target: `${what}: ≤ ${sec(targetMs)}`, measured: `${sec(s.medianMs)} (CPU ${sec(s.cpuMedianMs)})`, met: s.medianMs <= targetMs });
      return s;
    };

    if (opts.groups.has('help')) {
      await one('help', ['--help'], opts.runs, TARGET_MS.help);
      await one('help of a command', ['release', '--help'], opts.runs, TARGET_MS.help);
      // The floor under every row: what a Node.js process costs before any code of ours runs.
      const bare = async (what: string, command: string, processEnv: NodeJS.ProcessEnv) => {
        log(`${what}: ${opts.runs} runs`);
        rows.push({ what, command, sample: await sample(opts.runs, () => ({ command: process.execPath, args: ['-e', '0'], cwd: work, env: processEnv })) });
      };
      await bare("reference: Node.js's own start, nothing loaded", 'node -e 0', env);
      if (env.NODE_EXTRA_CA_CERTS) {
        const { NODE_EXTRA_CA_CERTS: caFile, ...withoutCa } = env;
        await bare('the same without NODE_EXTRA_CA_CERTS', 'env -u NODE_EXTRA_CA_CERTS node -e 0', withoutCa);
        notes.push(`NODE_EXTRA_CA_CERTS is set here (${caFile}). Node.js reads and parses that file and its own root certificates when it starts, before any code runs; the two "Node.js's own start" rows show how much. The rows keep the environment as it is, as a user of this machine has it: bin/cluster-stacks starts the commands that make no connection (synth, validate, diff, docs, help, and release without --vendor: every release row here) without the variable, the others with it.`);
      }
    }

    let bundleRelease: Sample | undefined;
    if (opts.groups.has('bundle')) {
      bundleRelease = await one(`release of one bundle (${BUNDLE.provider}/${BUNDLE.stack} ${BUNDLE.kubernetes}), cold`, ['release', '--mode', 'hash', ...selectBundle, '--release-dir', '<tmp>'], opts.runs, TARGET_MS.bundle);
      await one('the same, stable mode, dry run', ['release', '--dry-run', ...selectBundle], opts.runs);
      const cache = join(project, '.build', 'crd-json');
      renameSync(cache, `${cache}.away`);
      try {
        await one('the same as the first, without .build/crd-json', ['release', '--mode', 'hash', ...selectBundle, '--release-dir', '<tmp>'], opts.runs);
      } finally {
        renameSync(`${cache}.away`, cache);
      }
    }

    if (opts.groups.has('shipped')) {
      await one('synth of the shipped matrix', ['synth', '--output-dir', '<tmp>', '-q'], opts.runs, TARGET_MS.shipped);
      await one('release of the shipped matrix', ['release', '--mode', 'hash', '--release-dir', '<tmp>', '-q'], opts.runs, TARGET_MS.shipped);
    }

    const largestSize = opts.sizes[opts.sizes.length - 1];
    /** The folder of the last full synth of the largest matrix, which the edits then change. */
    let fullOut: string | undefined;
    let incremental: Results['incremental'];
    if (opts.groups.has('matrix') || opts.groups.has('incremental')) {
      const sizes = opts.groups.has('matrix') ? opts.sizes : opts.sizes.slice(-1);
      // In turn, so that the linearity check compares sizes measured over the same minutes.
      log(`synth of ${sizes.join(', ')} bundles in turn: ${opts.matrixRuns} runs each`);
      const samples = await sampleInTurn(
        opts.matrixRuns,
        sizes.map((bundles) => () => {
          const out = fresh(`synth${bundles}`);
          if (bundles === largestSize) fullOut = out;
          return cli(['synth', '--output-dir', out, '-q'], { [BUNDLES_ENV]: String(bundles) });
        }),
      );
      sizes.forEach((bundles, k) => matrix.push({ command: 'synth', bundles, sample: samples[k] }));
      if (opts.groups.has('matrix') && fullOut) {
        // What writing the output costs on this machine by itself: on a
        // nested VM, creating files is a large, variable share of a synth.
        const written = fullOut;
        const tree = treeSize(written);
        log(`cp -r of the ${largestSize}-bundle output: ${opts.matrixRuns} runs`);
        const s = await sample(opts.matrixRuns, () => ({ command: 'cp', args: ['-r', written, fresh('cp')], cwd: work, env }));
        rows.push({ what: `reference: cp -r of the ${largestSize}-bundle synth output (${tree.files} files in ${tree.folders} folders, ${mib(tree.bytes / 1024)}), what creating those files costs here`, command: 'cp -r <synth output> <tmp>', sample: s });
      }
      if (opts.groups.has('matrix')) {
        log(`release of ${largestSize} bundles, in turn with fixed work of this machine's CPU: ${opts.matrixRuns} runs`);
        // The same code's release took 9 and 14 ms of CPU a bundle here
        // seven minutes apart, so the release runs in turn with work that
        // never changes: what that work costs says whether the CPU itself
        // ran slower.
        const [s, reference] = await sampleInTurn(opts.matrixRuns, [
          () => cli(['release', '--mode', 'hash', '--release-dir', fresh(`release${largestSize}`), '-q'], { [BUNDLES_ENV]: String(largestSize) }),
          () => ({ command: process.execPath, args: ['-e', FIXED_WORK, join(project, FIXED_WORK_INPUT)], cwd: work, env }),
        ]);
        matrix.push({ command: 'release', bundles: largestSize, sample: s });
        rows.push({ what: `reference: fixed CPU work (${FIXED_WORK_ROUNDS} level-9 deflates of ${FIXED_WORK_INPUT}, one Node.js process), in turn with the release of ${largestSize} bundles`, command: 'node -e <deflate loop> <file>', sample: reference });
        const synthRows = matrix.filter((r) => r.command === 'synth');
        const largest = synthRows[synthRows.length - 1];
        for (const r of [largest, matrix[matrix.length - 1]]) {
          const perBundle = r.sample.medianMs / r.bundles;
          targets.push({ target: `${r.command} of ${r.bundles} bundles: ≤ ${TARGET_MS.perBundle} ms per bundle`, measured: `${perBundle.toFixed(1)} ms (${sec(r.sample.medianMs)}; CPU ${(r.sample.cpuMedianMs / r.bundles).toFixed(1)} ms per bundle)`, met: perBundle <= TARGET_MS.perBundle });
          const cores = r.sample.cpuMedianMs / r.sample.medianMs;
          targets.push({ target: `${r.command} of ${r.bundles} bundles: both cores used (CPU / wall ≥ 1.3)`, measured: cores.toFixed(2), met: cores >= 1.3 });
          targets.push({ target: `${r.command} of ${r.bundles} bundles: peak RSS < 1 GiB`, measured: mib(r.sample.peakRssKiB), met: r.sample.peakRssKiB < TARGET_RSS_KIB });
        }
        if (synthRows.length >= 3) {
          const marginal = synthRows.slice(1).map((r, i) => (r.sample.medianMs - synthRows[i].sample.medianMs) / (r.bundles - synthRows[i].bundles));
          const first = marginal[0];
          const last = marginal[marginal.length - 1];
          targets.push({ target: 'synth cost linear in the number of bundles (marginal ms per bundle of the last step ≤ 1.25 × the first)', measured: marginal.map((x) => x.toFixed(1)).join(' → '), met: last <= 1.25 * first });
        }
      }
    }

    if (opts.groups.has('incremental') && fullOut) {
      const out = fullOut;
      const changes: TreeChange[] = [];
      log(`one stack edited in ${largestSize} bundles: ${Math.min(opts.matrixRuns, EDITS.length)} runs`);
      let previous = snapshot(out);
      // The bundles of the edited stack: exactly these must change, else the edit was missed.
      const edited = [...previous.keys()].filter((path) => /^[^/]+\/s0\//.test(path)).length;
      let editRuns = 0;
      // Full synths into fresh folders in turn with the edits, so that the
      // share compares two figures of the same minutes.
      const [whole, edit] = await sampleInTurn(Math.min(opts.matrixRuns, EDITS.length), [
        () => cli(['synth', '--output-dir', fresh(`synth${largestSize}`), '-q'], { [BUNDLES_ENV]: String(largestSize) }),
        () => {
          if (editRuns > 0) {
            const now = snapshot(out);
            changes.push(compare(previous, now));
            previous = now;
          }
          return cli(['synth', '--output-dir', out, '-q'], { [BUNDLES_ENV]: String(largestSize), [EDIT_ENV]: EDITS[editRuns++] });
        },
      ]);
      changes.push(compare(previous, snapshot(out)));
      const change = changes.reduce((worst, c) => (c.rewritten > worst.rewritten ? c : worst));
      const share = edit.medianMs / whole.medianMs;
      targets.push({ target: `synth after editing one stack of ${largestSize} bundles: ≤ ${TARGET_MS.incrementalShare * 100} % of a full synth`, measured: `${sec(edit.medianMs)} = ${(share * 100).toFixed(0)} % of ${sec(whole.medianMs)} (full synths in turn with the edits)`, met: share <= TARGET_MS.incrementalShare });
      targets.push({ target: 'synth after editing one stack: only the bundles whose bytes change are rewritten', measured: `${change.rewritten} bundle folders rewritten, ${change.changed} changed (the edited stack has ${edited}), of ${change.bundles} (the run that rewrote most)`, met: changes.every((c) => c.rewritten === c.changed && c.changed === edited) });
      notes.push(`"One stack edited": after a full synth of the ${largestSize}-bundle matrix, $${EDIT_ENV} gives the first generated stack (s0, ${edited} bundles) another metrics-server chart version (${EDITS.slice(0, edit.runs.length).join(', ')} in turn, each run a change), and \`synth\` runs again, unfiltered, into the same folder. A bundle folder counts as rewritten when a file in it has a new inode or mtime, or was added or removed.`);
      incremental = { full: whole, edit, change };
    }

    let oneBundleRelease: string | undefined;
    if (opts.groups.has('helm') || opts.groups.has('csctl')) {
      const dir = fresh('release-one');
      await runOnce(cli(['release', '--mode', 'hash', ...selectBundle, '--release-dir', dir, '-q']));
      oneBundleRelease = onlyReleaseFolder(dir);
    }

    if (opts.groups.has('helm') && oneBundleRelease) {
      const helm = helmBinary(ROOT);
      if ('path' in helm) {
        const chart = clusterClassChartFolder(oneBundleRelease, join(work, 'cluster-class-chart'));
        log(`helm package: ${opts.runs} runs`);
        const s = await sample(opts.runs, () => {
          const out = fresh('helm');
          mkdirSync(out);
          return { command: helm.path, args: ['package', chart, '-d', out], cwd: work, env };
        });
        rows.push({ what: `reference: helm package of the same bundle's cluster-class chart (${helm.path.split('/').slice(-2, -1)[0]})`, command: 'helm package <chart> -d <tmp>', sample: s });
      } else {
        notes.push(`helm: n/a, ${helm.reason}.`);
      }
    }

    if (opts.groups.has('csctl') && oneBundleRelease) {
      const bin = process.env.CSCTL_BIN;
      if (!bin) {
        notes.push('csctl: n/a, CSCTL_BIN is not set (see the README, "Benchmark", to build csctl beside the project).');
      } else if (!existsSync(bin)) {
        throw new Error(`CSCTL_BIN=${bin} does not exist`);
      } else {
        const input = csctlInput(oneBundleRelease, join(work, 'csctl-input'));
        log(`csctl create: ${opts.runs} runs`);
        // csctl writes ./.tmp/ in its working folder: a fresh one per run.
        const s = await sample(opts.runs, () => {
          const cwd = fresh('csctl');
          mkdirSync(cwd);
          return { command: resolve(bin), args: ['create', input, '--mode', 'hash', '--output', join(cwd, 'out')], cwd, env };
        });
        rows.push({ what: `csctl: the same bundle, its source folder made from our release folder`, command: 'csctl create <source folder> --mode hash --output <tmp>', sample: s });
        notes.push(`csctl (${bin}) reads a cluster-stacks source folder: csctl.yaml, the cluster-class chart, cluster-addon/, node-image/ and clusteraddon.yaml. The bench makes it from our own release folder of ${BUNDLE.provider}/${BUNDLE.stack} ${BUNDLE.kubernetes} (archives unpacked), so both package the same files; csctl templates, hashes and packages them and neither synthesizes nor validates anything.`);
        // A reference, not a target: csctl's whole run is shorter than Node.js's own start (`node -e 0`); the target for one bundle is the 0.25 s above.
        if (bundleRelease) notes.push(`One bundle, for reference: ours ${sec(bundleRelease.medianMs)}, csctl ${sec(s.medianMs)}: ours takes ${(bundleRelease.medianMs / s.medianMs).toFixed(1)}× csctl's time. csctl's whole run is shorter than Node.js's own start, so no Node.js CLI meets it; the target for one bundle is the issue's ≤ 0.25 s.`);
        const release500 = matrix.find((r) => r.command === 'release');
        if (release500) {
          const ours = release500.sample.medianMs / release500.bundles;
          targets.push({ target: `release of ${release500.bundles} bundles: ≥ 6 × cheaper per bundle than csctl (one process per bundle)`, measured: `${ours.toFixed(1)} ms vs ${s.medianMs.toFixed(1)} ms: ${(s.medianMs / ours).toFixed(1)}×`, met: s.medianMs / ours >= 6 });
        }
      }
    }

    const cpu = cpus();
    const countersEnd = readCpuCounters();
    const totalMs = performance.now() - started;
    const host = countersStart && countersEnd ? hostShare(countersStart, countersEnd, totalMs / 1000) : undefined;
    const commit = execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty', '--abbrev=12'], { encoding: 'utf8' }).trim();
    const results: Results = {
      machine: { date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), cores: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadStart, loadEnd: loadavg(), ...(host ? { host } : {}), fileCreation, waitedSeconds, commit },
      rows,
      matrix,
      ...(incremental ? { incremental } : {}),
      targets,
      notes,
      totalMs,
    };
    const text = markdown(results);
    process.stdout.write(text);
    if (opts.out) {
      writeFileSync(opts.out, text);
      log(`wrote ${opts.out}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    markCleanup();
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
