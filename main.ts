/**
 * The cdk8s app: synthesizes every stack × Kubernetes minor, at the versions
 * in the version records, into dist/<provider>/<stack>/<major>-<minor>/.
 *
 * `cdk8s synth` runs it with CDK8S_OUTDIR set to cdk8s's output folder;
 * `npm run synth` runs it directly and replaces dist/ atomically.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthCommand } from './cli/commands/synth.ts';
import { STACKS } from './stacks/index.ts';

const root = dirname(fileURLToPath(import.meta.url));
try {
  const { bundles, unversionedChanges } = synthCommand({ root, definitions: STACKS, outDir: resolve(process.env.CDK8S_OUTDIR ?? resolve(root, 'dist')) });
  for (const b of bundles) process.stdout.write(`${b.path}  ${b.clusterClassName}\n`);
  process.stdout.write(`synthesized ${bundles.length} bundles\n`);
  for (const w of unversionedChanges) process.stderr.write(`warning: ${w}\n`);
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
