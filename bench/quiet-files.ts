/**
 * Creating files right after many were deleted costs several times more on
 * this machine, and the bench deletes its own hundreds of thousands when it
 * ends: a bench started within minutes of the last one measured that, not
 * the commands.
 *
 * Why: the root file system is ext4 without a journal
 * (/sys/fs/ext4/<device>/journal_task reads "<none>"), and then ext4 does
 * not reuse an inode freed less than 60 s ago, or 360 s while the block of
 * the inode table that holds it is unwritten (fs/ext4/ialloc.c,
 * recently_deleted()); allocating an inode looks at every such free inode
 * of its group in turn, reading its block each time. perf: a 500-bundle
 * release spent 37 % of its samples in the kernel a minute after 35,000
 * files were deleted, most of it in find_get_block_common() and
 * recently_deleted(), against 8 % on a quiet file system; creating 3,300
 * files took 263 µs each a minute after such a deletion, 76 µs after three
 * and 30–45 µs after four.
 *
 * So the bench notes when it finished deleting, waits until the longest of
 * those windows has passed since, and reports what creating files cost when
 * it started.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** ext4's longest window: 60 s, plus 300 s while the inode's block is dirty. */
export const FORGET_MS = 360_000;

/** Where the bench notes the end of its last cleanup: beside the temp folders it deletes. */
export const CLEANUP_MARKER = join(tmpdir(), 'cluster-stacks-bench.cleaned');

/** How long to wait before measuring, given when the last cleanup ended (undefined: never here). */
export function remainingWaitMs(cleanedAtMs: number | undefined, nowMs: number): number {
  if (cleanedAtMs === undefined) return 0;
  // A marker from the future (the clock was set back) waits the whole window, no longer.
  return Math.min(FORGET_MS, Math.max(0, cleanedAtMs + FORGET_MS - nowMs));
}

/** When the marker says the last cleanup ended. */
export function cleanedAt(marker = CLEANUP_MARKER): number | undefined {
  return statSync(marker, { throwIfNoEntry: false })?.mtimeMs;
}

/** Notes that a cleanup just ended. */
export function markCleanup(marker = CLEANUP_MARKER): void {
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

/** Waits out the window after the last cleanup; returns the seconds waited. */
export async function waitAfterCleanup(log: (s: string) => void, marker = CLEANUP_MARKER): Promise<number> {
  const wait = remainingWaitMs(cleanedAt(marker), Date.now());
  if (wait === 0) return 0;
  log(`waiting ${Math.ceil(wait / 1000)} s: the previous bench deleted its files less than ${FORGET_MS / 60_000} minutes ago, and until then this file system creates files several times slower (bench/quiet-files.ts)`);
  await sleep(wait);
  return wait / 1000;
}

export interface FileCreation {
  readonly files: number;
  /** Wall time per file, µs. */
  readonly wallMicros: number;
  /** This process's kernel time per file, µs. */
  readonly kernelMicros: number;
}

/** Kernel µs a file above which the header says file creation was slow: some 15 on a quiet file system here, 250 a minute after a mass deletion. */
export const SLOW_KERNEL_MICROS = 100;

/** Creates `folders` × `perFolder` small files below `dir` (new; the caller deletes it later) and times it. */
export function probeFileCreation(dir: string, folders = 300, perFolder = 10): FileCreation {
  const files = folders * perFolder;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let d = 0; d < folders; d++) {
    const folder = join(dir, `d${d}`);
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < perFolder; f++) writeFileSync(join(folder, `f${f}`), 'x'.repeat(100));
  }
  const wallMicros = ((performance.now() - started) * 1000) / files;
  const kernelMicros = process.cpuUsage(cpu).system / files;
  return { files, wallMicros, kernelMicros };
}
