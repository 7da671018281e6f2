import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostShare, parseCpuCounters, readCpuCounters } from '../../bench/host-share.ts';
import { markdown, type Results } from '../../bench/report.ts';

// Lines in the form Linux writes them; the command name holds the characters that make a naive split go wrong.
const PROC_STAT = 'cpu  2605466 1584 631769 6623197 49043 0 15645 9420 0 0\ncpu0 1269956 818 264352 3421771 2495 0 2333 4333 0 0\n';
const SELF_STAT = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 5000 0 0 0 300 40 1200 160 20 0 11 0 100 1000000 9000 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

describe('bench: who used the CPUs during a run', () => {
  it("reads the machine's busy and steal ticks and this process's own and its children's", () => {
    expect(parseCpuCounters(PROC_STAT, SELF_STAT)).toEqual({ busy: 2605466 + 1584 + 631769 + 0 + 15645, steal: 9420, own: 300 + 40 + 1200 + 160, ownSystem: 40 + 160 });
  });

  it('gives up on lines not in that form', () => {
    expect(parseCpuCounters('intr 1 2 3\n', SELF_STAT)).toBeUndefined();
    expect(parseCpuCounters('cpu  1 2 3\n', SELF_STAT)).toBeUndefined();
    expect(parseCpuCounters(PROC_STAT, '4242 (node) S 1 2')).toBeUndefined();
    expect(parseCpuCounters(PROC_STAT.replace('1584', 'x'), SELF_STAT)).toBeUndefined();
  });

  it('counts what other processes used as the busy time the bench did not use, never below zero', () => {
    const at = (busy: number, own: number, steal = 0, ownSystem = 0) => ({ busy, own, steal, ownSystem });
    expect(hostShare(at(1000, 100, 5, 10), at(1600, 500, 25, 60), 4)).toEqual({ seconds: 4, ownSeconds: 4, ownSystemSeconds: 0.5, othersSeconds: 2, stealSeconds: 0.2 });
    expect(hostShare(at(1000, 100), at(1100, 210), 1).othersSeconds).toBe(0);
  });

  it.runIf(process.platform === 'linux')("counts a waited-for child's CPU as the bench's own", () => {
    const before = readCpuCounters();
    const child = spawnSync(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);']);
    const after = readCpuCounters();
    expect(child.status).toBe(0);
    expect(before && after).toBeTruthy();
    if (!before || !after) return;
    // 400 ms of a busy loop is 40 ticks; leave room for a slow clock-tick accounting.
    expect(after.own - before.own).toBeGreaterThanOrEqual(30);
    expect(after.busy - before.busy).toBeGreaterThanOrEqual(after.own - before.own - 5);
  });

  it('says other work competed only when others or the hypervisor took more than 5 % of the cores', () => {
    const results = (othersSeconds: number, stealSeconds: number): Results => ({
      machine: { date: 'd', cores: 2, cpu: 'c', memoryGiB: 1, node: 'v20', loadStart: [2.5, 0, 0], loadEnd: [2.5, 0, 0], commit: 'x', host: { seconds: 100, ownSeconds: 150, ownSystemSeconds: 30, othersSeconds, stealSeconds } },
      rows: [],
      matrix: [],
      targets: [],
      notes: [],
      totalMs: 1,
    });
    const quiet = markdown(results(4, 2));
    expect(quiet).toContain('the bench and what it spawned 150.0 s (30.0 s of it in the kernel), other processes 4.0 s (2 % of the cores\' time), taken by the hypervisor (steal) 2.0 s (1 %).');
    expect(quiet).not.toContain('competed');
    expect(markdown(results(12, 0))).toContain('(6 % of the cores\' time), taken by the hypervisor (steal) 0.0 s (0 %): other work competed');
    expect(markdown(results(0, 11))).toContain('(6 %): other work competed');
  });
});
