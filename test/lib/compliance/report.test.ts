import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EvaluatedResult } from '../../../lib/compliance/deviations.ts';
import { checkBundles, complianceReport, type BundleCompliance } from '../../../lib/compliance/report.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';
import { shippedBundlePaths } from '../../shipped.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** How `npm run compliance` runs the script (tsx), from any working directory. */
const compliance = (args: readonly string[], cwd: string) => spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/compliance.ts'), ...args], { cwd, encoding: 'utf8' });

const r = (check: number, id: string, title: string, status: EvaluatedResult['status'], detail = 'ok'): EvaluatedResult => ({
  check,
  id,
  title,
  status,
  passed: status === 'pass',
  detail,
  ...(status === 'warn' ? { warning: true } : {}),
  ...(status === 'deviation' ? { deviation: 'because' } : {}),
});

const REPORTS: BundleCompliance[] = [
  { stack: 'docker/scs', minor: '1.34', results: [r(1, '1.2.15', 'API server profiling=false', 'pass'), r(4, 'kernel', 'protectKernelDefaults', 'deviation', 'X /a: expected true')] },
  { stack: 'openstack/scs', minor: '1.34', results: [r(1, '1.2.15', 'API server profiling=false', 'fail', 'KubeadmControlPlaneTemplate/x /spec/p: expected "false"'), r(4, 'kernel', 'protectKernelDefaults', 'pass')] },
];
const DEVIATIONS = [{ stack: 'docker/scs', id: 'kernel', reason: 'shared host kernel' }];

describe('complianceReport', () => {
  it('prints one row per item and one column per stack × minor, then totals, deviations and failures with their paths', () => {
    const { text, failed } = complianceReport(REPORTS, 'text', DEVIATIONS);
    expect(failed).toBe(true);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'check  ID      baseline item               docker/scs 1.34  openstack/scs 1.34',
      '-----  ------  --------------------------  ---------------  ------------------',
      '1      1.2.15  API server profiling=false  pass             FAIL',
      '4      kernel  protectKernelDefaults       deviation        pass',
    ]);
    expect(text).toContain('2 baseline checks × 2 bundles: 2 pass, 1 deviation, 0 warn, 1 FAIL\n');
    expect(text).toContain('Documented deviations:\n  docker/scs kernel: shared host kernel\n');
    expect(text).toContain('Failures and warnings:\n  FAIL openstack/scs 1.34 1.2.15 API server profiling=false:\n    KubeadmControlPlaneTemplate/x /spec/p: expected "false"\n');
  });

  it('renders a Markdown table for the README', () => {
    const { text } = complianceReport(REPORTS, 'markdown', DEVIATIONS);
    expect(text.split('\n').slice(0, 4)).toEqual([
      '| check | ID | baseline item | docker/scs 1.34 | openstack/scs 1.34 |',
      '|---|---|---|---|---|',
      '| 1 | 1.2.15 | API server profiling=false | pass | FAIL |',
      '| 4 | kernel | protectKernelDefaults | deviation | pass |',
    ]);
    expect(text).toContain('- `docker/scs` **kernel**: shared host kernel');
  });

  it('does not fail on warnings and deviations', () => {
    const ok = REPORTS.map((b) => ({ ...b, results: b.results.map((x) => (x.status === 'fail' ? r(x.check, x.id, x.title, 'warn', x.detail) : x)) }));
    expect(complianceReport(ok, 'text', DEVIATIONS).failed).toBe(false);
  });

  it('reports deviations no check needs any more', () => {
    const { text } = complianceReport(REPORTS, 'text', [...DEVIATIONS, { stack: 'openstack/scs', id: 'kernel', reason: 'old' }]);
    expect(text).toContain('Deviations no check needs any more:\n  openstack/scs kernel\n');
  });

  it('passes on every shipped stack', () => {
    const { text, failed } = complianceReport(checkBundles(synthesize(STACKS)), 'markdown');
    expect(failed).toBe(false);
    expect(text).toMatch(new RegExp(`60 baseline checks × ${shippedBundlePaths().length} bundles: \\d+ pass, \\d+ deviation, 0 warn, 0 FAIL\\.`));
  });
});

describe('npm run compliance', () => {
  function snapshot(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((p) => `${p} ${statSync(join(dir, p)).mtimeMs}`)
      .sort();
  }

  it('prints the table, exits 0 and writes nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'compliance-'));
    try {
      const dist = snapshot(join(ROOT, 'dist'));
      const run = compliance(['--markdown'], cwd);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      // One column per shipped bundle, in stack × minor order.
      const columns = shippedBundlePaths().map((p) => { const [provider, stack, minor] = p.split('/'); return `${provider}/${stack} ${String(minor).replace('-', '.')}`; });
      expect(run.stdout.split('\n')[0]).toBe(`| check | ID | baseline item | ${columns.join(' | ')} |`);
      expect(readdirSync(cwd)).toEqual([]);
      expect(snapshot(join(ROOT, 'dist'))).toEqual(dist);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('refuses unknown arguments', () => {
    const run = compliance(['--html'], ROOT);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('compliance: unknown argument --html; expected --markdown or nothing\n');
  });
});
