import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanedAt, FORGET_MS, markCleanup, probeFileCreation, remainingWaitMs, waitAfterCleanup } from '../../bench/quiet-files.ts';
import { fileCreationLine } from '../../bench/report.ts';

describe('bench: creating files only after the file system forgot the last deletions', () => {
  const temp = mkdtempSync(join(tmpdir(), 'quiet-files-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('waits out what is left of the window since the last cleanup, and nothing without one', () => {
    const now = 10_000_000;
    expect(remainingWaitMs(undefined, now)).toBe(0);
    expect(remainingWaitMs(now - FORGET_MS - 1, now)).toBe(0);
    expect(remainingWaitMs(now - FORGET_MS, now)).toBe(0);
    expect(remainingWaitMs(now - 60_000, now)).toBe(FORGET_MS - 60_000);
    expect(remainingWaitMs(now, now)).toBe(FORGET_MS);
    // A clock set back never makes it wait longer than the window.
    expect(remainingWaitMs(now + 3_600_000, now)).toBe(FORGET_MS);
  });

  it('reads the end of the last cleanup from the marker it writes', async () => {
    const marker = join(temp, 'cleaned');
    expect(cleanedAt(marker)).toBeUndefined();
    expect(await waitAfterCleanup(() => undefined, marker)).toBe(0);
    markCleanup(marker);
    const at = cleanedAt(marker);
    expect(at).toBeDefined();
    expect(Math.abs((at ?? 0) - Date.now())).toBeLessThan(5_000);
    // Dated back to a moment before the window closes: the wait is what is left of it.
    const back = (Date.now() - FORGET_MS + 300) / 1000;
    utimesSync(marker, back, back);
    const logged: string[] = [];
    const waited = await waitAfterCleanup((s) => logged.push(s), marker);
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(1);
    expect(logged.join('\n')).toMatch(/waiting 1 s: the previous bench deleted its files/);
  });

  it('creates the files it counts, all below the folder it is given', () => {
    const dir = join(temp, 'probe');
    const f = probeFileCreation(dir, 7, 3);
    expect(f.files).toBe(21);
    expect(readdirSync(dir).sort()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6']);
    expect(readdirSync(join(dir, 'd6')).sort()).toEqual(['f0', 'f1', 'f2']);
    expect(f.wallMicros).toBeGreaterThan(0);
    expect(f.kernelMicros).toBeGreaterThanOrEqual(0);
  });

  it('says in the header when creating files was slow, and that it waited', () => {
    expect(fileCreationLine({ files: 3000, wallMicros: 45, kernelMicros: 30 }, 0)).toBe('Creating files when the measuring began: 45 µs a file, 30 µs of it in the kernel (3000 files; about 20 µs on a quiet file system here).');
    const slow = fileCreationLine({ files: 3000, wallMicros: 263, kernelMicros: 247 }, 212.4);
    expect(slow).toMatch(/: slow, as in the minutes after many files are deleted/);
    expect(slow).toMatch(/The bench first waited 212 s: the previous bench had deleted its files less than 6 minutes before\.$/);
  });
});
