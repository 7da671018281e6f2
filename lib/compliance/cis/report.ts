import type { HardeningObjects } from '../bundle-objects.ts';
import { deviationFor, type Deviation } from '../deviations.ts';
import { auditFor } from './audits.ts';
import { BASELINE_IDS, MANUAL_NOTES, type ManualNote } from './decisions.ts';
import { KUBE_BENCH_CHECKS, KUBE_BENCH_SOURCE } from './kube-bench-cis-1.12.ts';
import { runKubeBenchTests } from './kube-bench-tests.ts';
import type { KUBEADM_FLAGS } from './kubeadm.ts';
import { bundleState } from './node-state.ts';
import type { KubeBenchCheck } from './types.ts';

export type CisStatus = 'pass' | 'deviation' | 'fail' | 'manual';

export interface CisResult {
  readonly id: string;
  readonly type: KubeBenchCheck['type'];
  readonly baseline: string;
  readonly status: CisStatus;
  /** What kube-bench's tests found, node by node, or why it is manual. */
  readonly detail: string;
}

/** The deviation id a stack declares for a kube-bench check. */
export const cisDeviationId = (id: string) => `CIS ${id}`;

/**
 * Runs kube-bench's checks (KUBE_BENCH_CHECKS) on the node model of one
 * bundle with default variables. An automated check that fails is a FAIL
 * unless the stack documents a deviation; a manual check that fails, or
 * that the templates cannot decide, must have a MANUAL_NOTES entry
 * (otherwise FAIL, so every gap is documented).
 */
export interface CisOptions {
  readonly checks?: readonly KubeBenchCheck[];
  readonly notes?: Readonly<Record<string, ManualNote>>;
  readonly deviations?: readonly Deviation[];
  /** What kubeadm puts on the control plane (tests change it: the templates cannot remove kubeadm's flags). */
  readonly kubeadmFlags?: typeof KUBEADM_FLAGS;
}

export function runCisChecks(o: HardeningObjects, options: CisOptions = {}): CisResult[] {
  const { checks = KUBE_BENCH_CHECKS, notes = MANUAL_NOTES, deviations = o.deviations } = options;
  const state = bundleState(o, options.kubeadmFlags);
  return checks.map((check): CisResult => {
    const base = { id: check.id, type: check.type, baseline: BASELINE_IDS[check.id] ?? '' };
    if (state.problems.length > 0) return { ...base, status: 'fail', detail: state.problems.join('; ') };
    const outcomes: string[] = [];
    let failed = false;
    let undecidable: string | undefined;
    for (const node of state.nodes) {
      const audit = auditFor(check, node);
      if (audit === undefined) continue;
      if ('undecidable' in audit) {
        undecidable = audit.undecidable;
        break;
      }
      const r = runKubeBenchTests(check, audit.output);
      if (!r.passed) failed = true;
      outcomes.push(`${node.name}: ${r.detail}`);
    }
    const note = notes[check.id];
    if (undecidable !== undefined) {
      return note ? { ...base, status: 'manual', detail: `${undecidable}; ${note.reason}` } : { ...base, status: 'fail', detail: `${undecidable}; no MANUAL_NOTES entry says why` };
    }
    const detail = [...new Set(outcomes)].join('; ');
    if (!failed) return { ...base, status: 'pass', detail };
    if (check.type === 'manual') return note ? { ...base, status: 'manual', detail: `${detail} (${note.reason})` } : { ...base, status: 'fail', detail: `${detail}; manual check not met and no MANUAL_NOTES entry says why` };
    const deviation = deviationFor(o.stack, cisDeviationId(check.id), deviations);
    return deviation ? { ...base, status: 'deviation', detail: `${detail} (${deviation.reason})` } : { ...base, status: 'fail', detail };
  });
}

export interface BundleCis {
  readonly stack: string;
  readonly minor: string;
  readonly results: readonly CisResult[];
}

const CELL: Readonly<Record<CisStatus, string>> = { pass: 'pass', deviation: 'deviation', fail: 'FAIL', manual: 'manual' };

/** The kube-bench table: one row per check, its type, the baseline ids beside it, one column per bundle; then the manual checks with reasons and every failure. */
export function cisReport(reports: readonly BundleCis[], format: 'text' | 'markdown'): { text: string; failed: boolean } {
  const columns = reports.map((r) => `${r.stack} ${r.minor}`);
  const checks = reports[0]?.results ?? [];
  const all = reports.flatMap((r) => r.results);
  const count = (s: CisStatus) => all.filter((r) => r.status === s).length;
  const failed = count('fail') > 0;
  const summary = `kube-bench ${KUBE_BENCH_SOURCE.benchmark} (${KUBE_BENCH_SOURCE.tag}) ${checks.length} checks × ${reports.length} bundles: ${count('pass')} pass, ${count('deviation')} deviation, ${count('manual')} manual, ${count('fail')} FAIL`;
  const manual = checks.filter((c) => reports.some((r) => r.results.some((x) => x.id === c.id && x.status === 'manual')));
  const problems = reports.flatMap((r) => r.results.filter((x) => x.status === 'fail').map((x) => ({ bundle: `${r.stack} ${r.minor}`, r: x })));
  const cells = (id: string) => reports.map((r) => CELL[r.results.find((x) => x.id === id)?.status ?? 'fail']);
  const lines: string[] = [];
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    lines.push(`| kube-bench | type | baseline | ${columns.join(' | ')} |`, `|---|---|---|${columns.map(() => '---').join('|')}|`);
    for (const c of checks) lines.push(`| ${c.id} | ${c.type} | ${esc(c.baseline)} | ${cells(c.id).join(' | ')} |`);
    lines.push('', `${summary}.`);
    if (manual.length > 0) {
      lines.push('', 'Manual checks the stacks do not meet by default, or the templates cannot decide:', '');
      for (const c of manual) {
        const note = MANUAL_NOTES[c.id];
        lines.push(`- **${c.id}** ${esc(note?.reason ?? '')}${note?.variable ? `; turned on by \`${note.variable}\`` : ''}.`);
      }
    }
    if (problems.length > 0) lines.push('', 'Failures:', '', ...problems.map(({ bundle, r }) => `- FAIL \`${bundle}\` **${r.id}**: ${esc(r.detail)}`));
  } else {
    const head = ['kube-bench', 'type', 'baseline', ...columns];
    const body = checks.map((c) => [c.id, c.type, c.baseline, ...cells(c.id)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const render = (row: readonly string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
    lines.push(render(head), render(widths.map((w) => '-'.repeat(w))), ...body.map(render), '', summary);
    if (manual.length > 0) lines.push('', 'Manual:', ...manual.map((c) => `  ${c.id}: ${MANUAL_NOTES[c.id]?.reason ?? ''}${MANUAL_NOTES[c.id]?.variable ? ` [${MANUAL_NOTES[c.id]?.variable}]` : ''}`));
    if (problems.length > 0) lines.push('', 'Failures:', ...problems.map(({ bundle, r }) => `  FAIL ${bundle} ${r.id}: ${r.detail}`));
  }
  return { text: `${lines.join('\n')}\n`, failed };
}
