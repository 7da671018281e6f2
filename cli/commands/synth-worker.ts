/**
 * A synthesis worker as an ES module (cli/commands/synth-parallel.ts): for a
 * definitions module other than the CLI's own, which it imports.
 */
import { importDefinitions, runSynthWorker } from './synth-worker-run.ts';

await runSynthWorker(importDefinitions);
