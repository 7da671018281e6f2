import { describe, expect, it } from 'vitest';
import { boundedMap } from '../../../lib/async/bounded-map.ts';

/** A task whose settling the test decides, recording how many run at once. */
function controlled() {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const settle = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const task = (n: number): Promise<number> => {
    running += 1;
    peak = Math.max(peak, running);
    started.push(n);
    return new Promise<number>((resolve, reject) => settle.set(n, { resolve, reject })).finally(() => {
      running -= 1;
    });
  };
  return { task, started, settle, peak: () => peak };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('boundedMap', () => {
  it('runs at most `limit` tasks at once and returns results in item order', async () => {
    const c = controlled();
    const results = boundedMap([0, 1, 2, 3, 4, 5], 2, c.task);
    await tick();
    expect(c.started).toEqual([0, 1]);
    c.settle.get(1)?.resolve(10);
    await tick();
    // Item 3 waits for item 1's slot, item 2 for item 0's.
    expect(c.started).toEqual([0, 1, 3]);
    c.settle.get(0)?.resolve(0);
    await tick();
    expect(c.started).toEqual([0, 1, 3, 2]);
    for (const n of [2, 3, 4, 5]) {
      await tick();
      c.settle.get(n)?.resolve(n * 10);
    }
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(c.peak()).toBe(2);
  });

  it('frees the slot of a failed task', async () => {
    const c = controlled();
    const results = boundedMap([0, 1, 2], 1, c.task);
    for (const p of results) p.catch(() => undefined);
    await tick();
    c.settle.get(0)?.reject(new Error('broken archive'));
    await tick();
    expect(c.started).toEqual([0, 1]);
    c.settle.get(1)?.resolve(1);
    await tick();
    c.settle.get(2)?.resolve(2);
    await expect(results[0]).rejects.toThrow('broken archive');
    expect(await Promise.all(results.slice(1))).toEqual([1, 2]);
    expect(c.peak()).toBe(1);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => boundedMap([1], 0, async (n) => n)).toThrow('boundedMap: limit must be a positive integer, got 0');
    expect(() => boundedMap([1], 1.5, async (n) => n)).toThrow('got 1.5');
  });
});
