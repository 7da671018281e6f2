import type { Bundle } from '../pipeline/synth.ts';
import { hardeningObjects } from './bundle-objects.ts';
import { runStaticChecks, staleDeviations, type CheckStatus, type Deviation, type EvaluatedResult } from './deviations.ts';

/** The static checks of one bundle. */
export interface BundleCompliance {
  readonly stack: string;
  readonly minor: string;
  readonly results: readonly EvaluatedResult[];
  /** The deviations the stack declares. @default none */
  readonly deviations?: readonly Deviation[];
}

export function checkBundles(bundles: readonly Bundle[]): BundleCompliance[] {
  return bundles.map((b) => {
    const o = hardeningObjects(b);
    return { stack: o.stack, minor: o.minor, results: runStaticChecks(o), deviations: o.deviations };
  });
}

/** Each deviation the reports' stacks declare, once. */
function declaredDeviations(reports: readonly BundleCompliance[]): Deviation[] {
  const out: Deviation[] = [];
  for (const d of reports.flatMap((r) => r.deviations ?? [])) if (!out.some((x) => x.stack === d.stack && x.id === d.id)) out.push(d);
  return out;
}

const CELL: Readonly<Record<CheckStatus, string>> = { pass: 'pass', fail: 'FAIL', warn: 'warn', deviation: 'deviation' };

interface Row {
  readonly check: number;
  readonly id: string;
  readonly title: string;
  readonly cells: string[];
}

function rows(reports: readonly BundleCompliance[]): Row[] {
  const out: Row[] = [];
  const key = (r: EvaluatedResult) => `${r.check}\u0000${r.id}\u0000${r.title}`;
  const index = new Map<string, Row>();
  reports.forEach((report, column) => {
    for (const r of report.results) {
      let row = index.get(key(r));
      if (!row) {
        row = { check: r.check, id: r.id, title: r.title, cells: reports.map(() => '–') };
        index.set(key(r), row);
        out.push(row);
      }
      row.cells[column] = CELL[r.status];
    }
  });
  return out.sort((a, b) => a.check - b.check);
}

export interface ComplianceOutput {
  readonly text: string;
  readonly failed: boolean;
}

/**
 * The compliance table: one row per baseline item, one column per
 * stack × minor, then the totals, the deviations and every failure with
 * its object and path. `markdown` renders it for the README.
 */
export function complianceReport(reports: readonly BundleCompliance[], format: 'text' | 'markdown', deviations: readonly Deviation[] = declaredDeviations(reports)): ComplianceOutput {
  const table = rows(reports);
  const columns = reports.map((r) => `${r.stack} ${r.minor}`);
  const all = reports.flatMap((r) => r.results);
  const count = (s: CheckStatus) => all.filter((r) => r.status === s).length;
  const failed = count('fail') > 0;
  const summary = `${table.length} baseline checks × ${reports.length} bundles: ${count('pass')} pass, ${count('deviation')} deviation, ${count('warn')} warn, ${count('fail')} FAIL`;
  const used = deviations.filter((d) => reports.some((r) => r.stack === d.stack && r.results.some((x) => x.id === d.id && x.status === 'deviation')));
  const stale = staleDeviations(reports, deviations);
  const problems = reports.flatMap((r) => r.results.filter((x) => x.status === 'fail' || x.status === 'warn').map((x) => ({ bundle: `${r.stack} ${r.minor}`, r: x })));

  const lines: string[] = [];
  if (format === 'markdown') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    lines.push(`| check | ID | baseline item | ${columns.join(' | ')} |`);
    lines.push(`|---|---|---|${columns.map(() => '---').join('|')}|`);
    for (const row of table) lines.push(`| ${row.check} | ${esc(row.id)} | ${esc(row.title)} | ${row.cells.join(' | ')} |`);
    lines.push('', `${summary}.`);
    if (used.length > 0) lines.push('', 'Documented deviations:', '', ...used.map((d) => `- \`${d.stack}\` **${d.id}**: ${d.reason}`));
    if (stale.length > 0) lines.push('', 'Deviations no check needs any more:', '', ...stale.map((d) => `- \`${d.stack}\` **${d.id}**`));
    if (problems.length > 0) lines.push('', 'Failures and warnings:', '', ...problems.map(({ bundle, r }) => `- ${CELL[r.status]} \`${bundle}\` **${r.id}** ${esc(r.title)}: ${r.detail}`));
  } else {
    const head = ['check', 'ID', 'baseline item', ...columns];
    const body = table.map((row) => [String(row.check), row.id, row.title, ...row.cells]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const render = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
    lines.push(render(head), render(widths.map((w) => '-'.repeat(w))), ...body.map(render));
    lines.push('', summary);
    if (used.length > 0) lines.push('', 'Documented deviations:', ...used.map((d) => `  ${d.stack} ${d.id}: ${d.reason}`));
    if (stale.length > 0) lines.push('', 'Deviations no check needs any more:', ...stale.map((d) => `  ${d.stack} ${d.id}`));
    if (problems.length > 0) lines.push('', 'Failures and warnings:', ...problems.map(({ bundle, r }) => `  ${CELL[r.status]} ${bundle} ${r.id} ${r.title}:\n    ${r.detail.split('; ').join('\n    ')}`));
  }
  return { text: `${lines.join('\n')}\n`, failed };
}
