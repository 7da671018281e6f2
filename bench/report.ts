/** The bench's results as Markdown (bench/RESULTS.md and stdout). */
import { capacityPercent, type HostShare } from './host-share.ts';
import { FORGET_MS, SLOW_KERNEL_MICROS, type FileCreation } from './quiet-files.ts';
import type { Sample } from './measure.ts';
import type { TreeChange } from './tree-change.ts';

export interface Row {
  readonly what: string;
  readonly command: string;
  readonly sample: Sample;
  /** Whole-process wall-time target for the median. */
  readonly targetMs?: number;
}

export interface MatrixRow {
  readonly command: 'synth' | 'release';
  readonly bundles: number;
  readonly sample: Sample;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface Machine {
  readonly date: string;
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
  /** Who used the CPUs during the run; absent where /proc is not Linux's. */
  readonly host?: HostShare;
  /** What creating files cost when the measuring began (bench/quiet-files.ts). */
  readonly fileCreation?: FileCreation;
  /** Seconds the bench waited after the previous bench's cleanup. */
  readonly waitedSeconds?: number;
  readonly commit: string;
}

export interface Results {
  readonly machine: Machine;
  readonly rows: readonly Row[];
  readonly matrix: readonly MatrixRow[];
  readonly incremental?: { readonly full: Sample; readonly edit: Sample; readonly change: TreeChange };
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
  readonly totalMs: number;
}

export const sec = (ms: number): string => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`);
export const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' / ');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

/** Above this share of the cores' time, other processes or the hypervisor are said to have competed. */
const COMPETITION_PERCENT = 5;

export function fileCreationLine(f: FileCreation, waitedSeconds: number): string {
  const slow = f.kernelMicros > SLOW_KERNEL_MICROS;
  const waited = waitedSeconds > 0 ? ` The bench first waited ${waitedSeconds.toFixed(0)} s: the previous bench had deleted its files less than ${FORGET_MS / 60_000} minutes before.` : '';
  return `Creating files when the measuring began: ${f.wallMicros.toFixed(0)} µs a file, ${f.kernelMicros.toFixed(0)} µs of it in the kernel (${f.files} files; about 20 µs on a quiet file system here)${slow ? ': slow, as in the minutes after many files are deleted on this file system (bench/quiet-files.ts); rows that write many files are inflated' : ''}.${waited}`;
}

function hostLine(h: HostShare, cores: number): string {
  const others = capacityPercent(h.othersSeconds, cores, h.seconds);
  const steal = capacityPercent(h.stealSeconds, cores, h.seconds);
  const s = (x: number): string => `${x.toFixed(1)} s`;
  const competed = Math.max(others, steal) > COMPETITION_PERCENT;
  return `CPU time during the run (${s(h.seconds)} on ${cores} cores, from /proc): the bench and what it spawned ${s(h.ownSeconds)} (${s(h.ownSystemSeconds)} of it in the kernel), other processes ${s(h.othersSeconds)} (${others} % of the cores' time), taken by the hypervisor (steal) ${s(h.stealSeconds)} (${steal} %)${competed ? ': other work competed and wall times are inflated; the CPU column is less affected' : ''}.`;
}

export function markdown(r: Results): string {
  const m = r.machine;
  const lines: string[] = ['# Benchmark results', ''];
  lines.push(
    `Written by \`npm run bench\` on ${m.date} at commit \`${m.commit}\`: \`nproc\` ${m.cores} (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}.`,
    `Load average (1 / 5 / 15 min) ${load(m.loadStart)} at the start, ${load(m.loadEnd)} at the end (the bench's own runs count in it).`,
    ...(m.host ? [hostLine(m.host, m.cores)] : []),
    ...(m.fileCreation ? [fileCreationLine(m.fileCreation, m.waitedSeconds ?? 0)] : []),
    '',
    'Every figure is a whole process (spawned, waited for, every output byte read): wall time from spawn to exit; CPU = user + system time and peak RSS from GNU time. Median (min–max) of the runs.',
    '',
  );
  lines.push('## Targets', '', ...table(['target', 'measured', 'met'], r.targets.map((t) => [t.target, t.measured, t.met ? 'met' : '**not met**'])));

  lines.push('## Commands', '', ...table(['what', 'command', 'runs', 'wall median', 'min – max', 'CPU median', 'peak RSS', 'target', 'met'], r.rows.map((row) => [
    row.what,
    `\`${row.command}\``,
    String(row.sample.runs.length),
    sec(row.sample.medianMs),
    `${sec(row.sample.minMs)} – ${sec(row.sample.maxMs)}`,
    sec(row.sample.cpuMedianMs),
    mib(row.sample.peakRssKiB),
    row.targetMs === undefined ? '' : `≤ ${sec(row.targetMs)}`,
    row.targetMs === undefined ? '' : row.sample.medianMs <= row.targetMs ? 'met' : '**not met**',
  ])));

  if (r.matrix.length > 0) {
    lines.push('## Synthetic matrices', '', ...table(['command', 'bundles', 'runs', 'wall median', 'min – max', 'ms per bundle', 'marginal ms per bundle', 'CPU median', 'CPU ms per bundle', 'cores used (CPU / wall)', 'peak RSS'], r.matrix.map((row, i) => {
      const previous = r.matrix[i - 1];
      const marginal = previous && previous.command === row.command ? ((row.sample.medianMs - previous.sample.medianMs) / (row.bundles - previous.bundles)).toFixed(1) : '';
      return [
        row.command,
        String(row.bundles),
        String(row.sample.runs.length),
        sec(row.sample.medianMs),
        `${sec(row.sample.minMs)} – ${sec(row.sample.maxMs)}`,
        (row.sample.medianMs / row.bundles).toFixed(1),
        marginal,
        sec(row.sample.cpuMedianMs),
        (row.sample.cpuMedianMs / row.bundles).toFixed(1),
        (row.sample.cpuMedianMs / row.sample.medianMs).toFixed(2),
        mib(row.sample.peakRssKiB),
      ];
    })));
  }

  if (r.incremental) {
    const inc = r.incremental;
    lines.push('## One stack edited', '', ...table(['run', 'runs', 'wall median', 'min – max', 'bundle folders rewritten', 'bundle folders whose bytes changed'], [
      [`full synth of ${inc.change.bundles} bundles, fresh folders, in turn with the edits`, String(inc.full.runs.length), sec(inc.full.medianMs), `${sec(inc.full.minMs)} – ${sec(inc.full.maxMs)}`, String(inc.change.bundles), String(inc.change.bundles)],
      ['synth after the edit, same output folder', String(inc.edit.runs.length), sec(inc.edit.medianMs), `${sec(inc.edit.minMs)} – ${sec(inc.edit.maxMs)}`, String(inc.change.rewritten), String(inc.change.changed)],
    ]));
  }

  lines.push('## How', '', ...r.notes.map((n) => `- ${n}`), '', `Total bench time ${sec(r.totalMs)}.`, '');
  return lines.join('\n');
}
