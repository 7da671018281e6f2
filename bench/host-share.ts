/**
 * Who used the machine's CPUs while the bench ran: the bench with every
 * process it spawned, other processes, and the hypervisor (steal).
 *
 * The load average cannot tell: the bench's own two-thread runs hold it
 * near 2 at the end of every run, and on this virtual machine the same
 * commands ran up to half slower, CPU time and all, for minutes while
 * nothing else ran. The kernel counts both sides in clock ticks:
 * /proc/stat for all CPUs, and /proc/self/stat for this process and the
 * children it has waited for (which include theirs, so GNU time's measured
 * processes count too).
 */
import { readFileSync } from 'node:fs';

/** Clock ticks, as /proc reports them. */
export interface CpuCounters {
  /** Ticks all CPUs spent running anything (user, nice, system, irq, softirq). */
  readonly busy: number;
  /** Ticks the hypervisor ran something else while a CPU of this machine wanted to run. */
  readonly steal: number;
  /** Ticks of this process and its waited-for children (user + system). */
  readonly own: number;
  /** The system part of `own`: creating files on a file system that is slow for a while shows here first. */
  readonly ownSystem: number;
}

export interface HostShare {
  readonly seconds: number;
  readonly ownSeconds: number;
  readonly ownSystemSeconds: number;
  /** busy − own, never below 0 (the two files are read a moment apart). */
  readonly othersSeconds: number;
  readonly stealSeconds: number;
}

/**
 * Linux reports both files in USER_HZ ticks, which is 100 on every
 * architecture it exports to user space (sysconf(_SC_CLK_TCK)).
 */
const TICKS_PER_SECOND = 100;

/** The counters in /proc/stat's aggregate `cpu` line and /proc/self/stat; undefined when either is not in the expected form. */
export function parseCpuCounters(procStat: string, selfStat: string): CpuCounters | undefined {
  const cpu = procStat.split('\n', 1)[0]?.split(/\s+/);
  if (cpu === undefined || cpu[0] !== 'cpu' || cpu.length < 9) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = cpu.slice(1, 9).map(Number);
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = selfStat.slice(selfStat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 12-15 after the name.
  const own = fields.slice(11, 15).map(Number);
  const counters = [user, nice, system, irq, softirq, steal, ...own];
  if (own.length !== 4 || !counters.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  return { busy: user + nice + system + irq + softirq, steal, own: own.reduce((a, b) => a + b, 0), ownSystem: own[1] + own[3] };
}

/** The counters now, or undefined where /proc is not Linux's. */
export function readCpuCounters(): CpuCounters | undefined {
  try {
    return parseCpuCounters(readFileSync('/proc/stat', 'utf8'), readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

export function hostShare(before: CpuCounters, after: CpuCounters, seconds: number): HostShare {
  const s = (ticks: number): number => ticks / TICKS_PER_SECOND;
  const busy = after.busy - before.busy;
  const own = after.own - before.own;
  return { seconds, ownSeconds: s(own), ownSystemSeconds: s(after.ownSystem - before.ownSystem), othersSeconds: s(Math.max(0, busy - own)), stealSeconds: s(after.steal - before.steal) };
}

/** The share of `cores` × `seconds` that `cpuSeconds` is, as a whole percentage. */
export const capacityPercent = (cpuSeconds: number, cores: number, seconds: number): number => Math.round((100 * cpuSeconds) / (cores * seconds));
