/**
 * Prints how every synthesized stack × Kubernetes minor meets the security
 * baseline (../shared/docs/hardening.md): one row per baseline item, one
 * column per bundle, pass / FAIL / deviation / warn. Exits 1 on any FAIL.
 * Synthesizes in memory and writes no files.
 *
 *   npm run compliance                # aligned text
 *   npm run compliance -- --markdown  # a Markdown table for the README
 */
import { checkBundles, complianceReport } from '../lib/hardening/report.ts';
import { synthesize } from '../lib/synth.ts';
import { STACKS } from '../stacks/index.ts';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--markdown');
if (unknown.length > 0) {
  process.stderr.write(`compliance: unknown argument ${unknown.join(' ')}; expected --markdown or nothing\n`);
  process.exit(2);
}
const { text, failed } = complianceReport(checkBundles(synthesize(STACKS)), args.includes('--markdown') ? 'markdown' : 'text');
process.stdout.write(text);
process.exitCode = failed ? 1 : 0;
