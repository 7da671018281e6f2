/**
 * Vitest global setup: one temp folder per test run, removed when the run
 * ends. TMPDIR points into it for the test workers and every process they
 * start, so the scratch folders that tests, the CLI and the tools make below
 * os.tmpdir() go with it instead of piling up in /tmp (a unit run used to
 * leave some fifty behind: copies of project roots, keys, SBOM folders).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of a run's temp folder, which test/run-temp.test.ts looks for. */
export const RUN_TEMP_PREFIX = 'cluster-stacks-test-';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), RUN_TEMP_PREFIX));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
