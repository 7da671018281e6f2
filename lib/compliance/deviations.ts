import type { HardeningDeviation } from '../../constructs/stack-definition.ts';
import type { HardeningObjects } from './bundle-objects.ts';
import { STATIC_CHECKS, type CheckResult } from './static-checks.ts';

/** A deviation a stack declares (ClusterStackDefinition.hardeningDeviations), with the stack's `<provider>/<stack>`. */
export interface Deviation extends HardeningDeviation {
  readonly stack: string;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'deviation';

export interface EvaluatedResult extends CheckResult {
  /** Number of the static check (1–7 of the baseline, 8 for the N-variables). */
  readonly check: number;
  readonly status: CheckStatus;
  /** The deviation's reason, when the status is `deviation`. */
  readonly deviation?: string;
}

export function deviationFor(stack: string, id: string, deviations: readonly Deviation[]): Deviation | undefined {
  return deviations.find((d) => d.stack === stack && d.id === id);
}

/** Runs every static check on one bundle and applies the deviations its stack declares (or `deviations`). */
export function runStaticChecks(o: HardeningObjects, deviations: readonly Deviation[] = o.deviations): EvaluatedResult[] {
  return STATIC_CHECKS.flatMap((check) =>
    check.run(o).map((r): EvaluatedResult => {
      if (r.passed) return { ...r, check: check.number, status: 'pass' };
      if (r.warning) return { ...r, check: check.number, status: 'warn' };
      const deviation = deviationFor(o.stack, r.id, deviations);
      return deviation ? { ...r, check: check.number, status: 'deviation', deviation: deviation.reason } : { ...r, check: check.number, status: 'fail' };
    }),
  );
}

/** Deviations of these stacks that no failing check needs any more: stale documentation. */
export function staleDeviations(results: readonly { readonly stack: string; readonly results: readonly EvaluatedResult[] }[], deviations: readonly Deviation[]): Deviation[] {
  const stacks = new Set(results.map((r) => r.stack));
  return deviations.filter((d) => stacks.has(d.stack) && !results.some((r) => r.stack === d.stack && r.results.some((x) => x.id === d.id && x.status === 'deviation')));
}
