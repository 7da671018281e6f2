/**
 * A release worker as an ES module (cli/commands/release-parallel.ts): for a
 * definitions module other than the CLI's own, which it imports.
 */
import { runReleaseWorker } from './release-worker-run.ts';
import { importDefinitions } from './synth-worker-run.ts';

await runReleaseWorker(importDefinitions);
