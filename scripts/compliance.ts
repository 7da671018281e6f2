/**
 * Prints how every synthesized stack × Kubernetes minor meets the security
 * baseline (../shared/docs/hardening.md): one row per baseline item, one
 * column per bundle, pass / FAIL / deviation / warn; then kube-bench's CIS
 * checks (lib/compliance/cis/) on the same bundles with default variables:
 * one row per kube-bench check id, its type and the baseline ids beside it,
 * pass / deviation / manual / FAIL. Exits 1 on any FAIL.
 * Synthesizes in memory and writes no files.
 *
 *   npm run compliance                # aligned text
 *   npm run compliance -- --markdown  # a Markdown table for the README
 */
import { hardeningObjects } from '../lib/compliance/bundle-objects.ts';
import { cisReport, runCisChecks } from '../lib/compliance/cis/report.ts';
import { checkBundles, complianceReport } from '../lib/compliance/report.ts';
import { synthesize } from '../lib/pipeline/synth.ts';
import { STACKS } from '../stacks/index.ts';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--markdown');
if (unknown.length > 0) {
  process.stderr.write(`compliance: unknown argument ${unknown.join(' ')}; expected --markdown or nothing\n`);
  process.exit(2);
}
const format = args.includes('--markdown') ? 'markdown' : 'text';
const bundles = synthesize(STACKS);
const baseline = complianceReport(checkBundles(bundles), format);
const cis = cisReport(
  bundles.map(hardeningObjects).map((o) => ({ stack: o.stack, minor: o.minor, results: runCisChecks(o) })),
  format,
);
process.stdout.write(`${baseline.text}\n${cis.text}`);
process.exitCode = baseline.failed || cis.failed ? 1 : 0;
