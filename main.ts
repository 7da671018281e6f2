/**
 * The cdk8s app: synthesizes every stack × Kubernetes minor into
 * dist/<provider>/<stack>/<major>-<minor>/.
 *
 * `cdk8s synth` runs it with CDK8S_OUTDIR set to cdk8s's output folder;
 * `npm run synth` runs it directly and replaces dist/ atomically.
 */
import { resolve } from 'node:path';
import { replaceTree } from './lib/atomic-write.ts';
import { bundleTree, synthesize } from './lib/synth.ts';
import { validateBundles } from './lib/validate.ts';
import { STACKS } from './stacks/index.ts';

const outdir = resolve(process.env.CDK8S_OUTDIR ?? 'dist');
try {
  const bundles = synthesize(STACKS);
  // Nothing is written unless every object matches its CRD schema.
  const problems = validateBundles(bundles);
  if (problems.length > 0) throw new Error(`${problems.length} schema violation(s):\n  ${problems.join('\n  ')}`);
  replaceTree(outdir, bundleTree(bundles));
  for (const b of bundles) process.stdout.write(`${b.path}  ${b.clusterClassName}\n`);
  process.stdout.write(`synthesized ${bundles.length} bundles into ${outdir}\n`);
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
