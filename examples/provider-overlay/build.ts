/**
 * MyCloud's build: `synth` writes dist/, `conformance` checks every bundle
 * against the base, `release` gives changed bundles new versions, `docs`
 * writes the stack pages and catalog (with the conformance line). Each runs
 * the conformance check first and fails on a violation.
 *
 * `update <version>` is the base update flow a release bot runs: it installs
 * cluster-stacks-cdk8s@<version>, runs `release` (conformance first) in a
 * fresh process and prints a pull request description.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docsCommand } from 'cluster-stacks-cdk8s/cli/commands/docs.ts';
import { releaseCommand } from 'cluster-stacks-cdk8s/cli/commands/release.ts';
import { synthCommand } from 'cluster-stacks-cdk8s/cli/commands/synth.ts';
import { assertConformance, conformanceMarkdown, conformanceSummary } from 'cluster-stacks-cdk8s/lib/overlay/conformance.ts';
import { rebuildWith, updateBase } from 'cluster-stacks-cdk8s/lib/overlay/update.ts';
import { STACKS } from './stacks.ts';

const root = dirname(fileURLToPath(import.meta.url));
const command = process.argv[2] ?? 'synth';
try {
  if (command === 'update') {
    const version = process.argv[3];
    if (!version) throw new Error('update: name the base version, e.g. `update 0.2.0`');
    const result = updateBase({
      root,
      definitions: STACKS,
      install: () => execFileSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', `cluster-stacks-cdk8s@${version}`], { cwd: root, stdio: 'inherit' }),
      rebuild: () => rebuildWith(root, 'build.ts', ['release']),
    });
    process.stdout.write(result.summary);
    process.exit(result.ok ? 0 : 1);
  }
  const reports = assertConformance(STACKS);
  for (const r of reports) process.stdout.write(`${r.stack} ${r.minor}: ${conformanceSummary(r)}\n`);
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'CONFORMANCE.md'), conformanceMarkdown(reports));
  if (command === 'synth') {
    const { bundles, unversionedChanges } = synthCommand({ root, definitions: STACKS });
    for (const b of bundles) process.stdout.write(`${b.path}  ${b.clusterClassName}\n`);
    for (const w of unversionedChanges) process.stderr.write(`warning: ${w}\n`);
  } else if (command === 'release') {
    const summary = await releaseCommand({ root, definitions: STACKS, mode: { kind: 'stable' }, releaseDir: join(root, 'release') });
    for (const r of summary.releases) process.stdout.write(`${r.bundle}  ${r.tag}  ${r.isNewVersion ? `new (${r.reason})` : 'unchanged'}\n`);
  } else if (command === 'docs') {
    const result = docsCommand({ root, definitions: STACKS, history: 'none', outDir: join(root, 'docs', 'stacks') });
    process.stdout.write(`${result.pages} pages in ${result.outDir}\n`);
  } else if (command !== 'conformance') {
    throw new Error(`unknown command '${command}'; expected synth, conformance, release or docs`);
  }
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
