/**
 * Whole-process measurements: a command is spawned, waited for with every
 * output byte read, and timed from spawn to exit. CPU time and peak RSS come
 * from GNU time (Debian package `time`), which wraps the command; a Node
 * process cannot see its children's rusage.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** One run of a command. */
export interface Run {
  readonly wallMs: number;
  /** User + system CPU time of the command and its children. */
  readonly cpuMs: number;
  readonly peakRssKiB: number;
}

/** Several runs of the same command. */
export interface Sample {
  readonly runs: readonly Run[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly cpuMedianMs: number;
  readonly peakRssKiB: number;
}

export interface Invocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Fails with a hint when GNU time is missing: without it there is no CPU time and no peak RSS. */
export function assertGnuTime(): void {
  const probe = existsSync(GNU_TIME) ? spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }) : undefined;
  if (!probe || probe.status !== 0 || !/^\d+\s*$/.test(probe.stderr)) {
    throw new Error(`${GNU_TIME} (GNU time) is missing or not GNU time: install the Debian package \`time\` (apt-get install time)`);
  }
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const scratch = mkdtempSync(join(tmpdir(), 'cs-bench-time-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** Runs once; rejects with the command's output when it exits non-zero. */
export function runOnce(inv: Invocation): Promise<Run & { readonly stdout: string }> {
  const timeFile = join(scratch, `${counter++}.txt`);
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, inv.command, ...inv.args], {
      cwd: inv.cwd,
      env: inv.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        const text = (Buffer.concat(err).toString('utf8') || stdout).trim().split('\n').slice(-5).join('\n');
        reject(new Error(`\`${[inv.command, ...inv.args].join(' ')}\` (in ${inv.cwd}) exited ${code}:\n${text}`));
        return;
      }
      const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolvePromise({ wallMs, cpuMs: (user + sys) * 1000, peakRssKiB: rss, stdout });
    });
  });
}

/**
 * `runs` sequential runs; `prepare(i)` runs before each (untimed) and
 * returns the invocation, e.g. with a fresh output folder.
 */
export async function sample(runs: number, prepare: (i: number) => Invocation): Promise<Sample> {
  const [only] = await sampleInTurn(runs, [prepare]);
  return only;
}

/**
 * `runs` rounds of every command in turn, in reverse order every other
 * round: commands compared with each other then share the host's drift
 * (this machine's speed wanders by tens of percent over minutes), where
 * sampling one after the other would charge a slow minute to one of them.
 */
export async function sampleInTurn(runs: number, prepares: readonly ((i: number) => Invocation)[]): Promise<Sample[]> {
  const out: Run[][] = prepares.map(() => []);
  for (const [i, order] of turnOrder(runs, prepares.length).entries()) {
    for (const k of order) out[k].push(await runOnce(prepares[k](i)));
  }
  return out.map(summarize);
}

/** The order of `commands` commands in each of `runs` rounds: forwards, then backwards, and so on. */
export function turnOrder(runs: number, commands: number): number[][] {
  return Array.from({ length: runs }, (_, i) => {
    const order = Array.from({ length: commands }, (_, k) => k);
    return i % 2 === 1 ? order.reverse() : order;
  });
}

function summarize(runs: readonly Run[]): Sample {
  const walls = runs.map((r) => r.wallMs);
  return {
    runs,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    cpuMedianMs: median(runs.map((r) => r.cpuMs)),
    peakRssKiB: Math.max(...runs.map((r) => r.peakRssKiB)),
  };
}
