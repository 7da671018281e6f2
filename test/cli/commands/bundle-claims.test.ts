import { describe, expect, it } from 'vitest';
import { stackOf, StackClaims } from '../../../cli/commands/release-parallel.ts';
import { BundleClaims } from '../../../cli/commands/synth-parallel.ts';

/** Claims every bundle it can, batch after batch, the way a thread does: the paths it got, per batch. */
function claimAll(claims: BundleClaims, paths: readonly string[], batches: number): string[][] {
  const out: string[][] = [];
  for (let b = 0; b < batches; b++) {
    const claimed = claims.claimBatch();
    const got = paths.filter((p) => claimed(p));
    if (got.length === 0) break;
    out.push(got);
  }
  return out;
}

describe('BundleClaims', () => {
  const paths = Array.from({ length: 37 }, (_, i) => `p/s${i}/1-34`);

  it('hands each bundle to exactly one thread, in batches of at most eight, in order', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4 * paths.length));
    const first = new BundleClaims(shared, paths, 0);
    const second = new BundleClaims(shared, paths, 1);
    // The first thread starts early: three batches before the second one joins.
    const early = claimAll(first, paths, 3);
    const a: string[][] = [...early];
    const b: string[][] = [];
    // Bounded, so that claims that never run out fail the test instead of hanging it.
    for (let round = 0; round < paths.length; round++) {
      const x = claimAll(second, paths, 1);
      const y = claimAll(first, paths, 1);
      b.push(...x);
      a.push(...y);
      if (x.length === 0 && y.length === 0) break;
    }
    expect(early.flat()).toEqual(paths.slice(0, 24));
    for (const batch of [...a, ...b]) expect(batch.length).toBeLessThanOrEqual(8);
    expect([...a.flat(), ...b.flat()].sort()).toEqual([...paths].sort());
    expect(new Set([...a.flat(), ...b.flat()]).size).toBe(paths.length);
    // The late thread took its share of what was left.
    expect(b.flat().length).toBeGreaterThanOrEqual(4);
  });

  it('claims nothing outside the run and nothing twice', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4 * paths.length));
    const only = new BundleClaims(shared, paths, 0);
    const claimed = only.claimBatch();
    expect(claimed('p/unknown/1-34')).toBe(false);
    expect(claimed(paths[0] as string)).toBe(true);
    expect(claimed(paths[0] as string)).toBe(false);
    expect(new BundleClaims(shared, paths, 1).claimBatch()(paths[0] as string)).toBe(false);
  });
});

describe('StackClaims', () => {
  const definitions = [
    { provider: 'p', stack: 'a', minor: '1-33' },
    { provider: 'p', stack: 'b', minor: '1-33' },
    // A second definition of stack a: it goes with the first, whole stacks are planned by one thread.
    { provider: 'p', stack: 'a', minor: '1-34' },
    ...Array.from({ length: 10 }, (_, i) => ({ provider: 'q', stack: `s${i}`, minor: '1-34' })),
  ];
  const stacks = [...new Set(definitions.map(stackOf))];

  it('hands out whole stacks, every definition of a stack in the batch that claimed it, in definition order', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4 * stacks.length));
    const first = new StackClaims(shared, stacks, 0, 8);
    const second = new StackClaims(shared, stacks, 1, 8);
    const a = first.next(definitions);
    const b = second.next(definitions);
    expect(a.map((d) => `${stackOf(d)} ${d.minor}`)).toEqual(['p/a 1-33', 'p/b 1-33', 'p/a 1-34', 'q/s0 1-34', 'q/s1 1-34', 'q/s2 1-34', 'q/s3 1-34', 'q/s4 1-34', 'q/s5 1-34']);
    expect(b.map(stackOf)).toEqual(['q/s6', 'q/s7', 'q/s8', 'q/s9']);
    expect(first.next(definitions)).toEqual([]);
    expect(second.next(definitions)).toEqual([]);
  });

  it('hands out one stack a batch by default, with all its definitions', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4 * stacks.length));
    const first = new StackClaims(shared, stacks, 0);
    const second = new StackClaims(shared, stacks, 1);
    expect(first.next(definitions).map((d) => `${stackOf(d)} ${d.minor}`)).toEqual(['p/a 1-33', 'p/a 1-34']);
    expect(second.next(definitions).map(stackOf)).toEqual(['p/b']);
    expect(first.next(definitions).map(stackOf)).toEqual(['q/s0']);
    const rest: string[] = [];
    for (let batch = second.next(definitions); batch.length > 0; batch = second.next(definitions)) rest.push(...batch.map(stackOf));
    expect(rest).toEqual(Array.from({ length: 9 }, (_, i) => `q/s${i + 1}`));
    expect(first.next(definitions)).toEqual([]);
  });
});
