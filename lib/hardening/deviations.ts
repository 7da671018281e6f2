import type { HardeningObjects } from './bundle-objects.ts';
import { STATIC_CHECKS, type CheckResult } from './static-checks.ts';

/**
 * A documented, deliberate deviation of one stack from one baseline item.
 * A check that fails for a deviating stack reports `deviation`, not a failure.
 */
export interface Deviation {
  /** `<provider>/<stack>`. */
  readonly stack: string;
  /** The baseline item, as the check reports it. */
  readonly id: string;
  readonly reason: string;
}

/** Every documented deviation. Keep it short: each entry is a weaker cluster. */
export const DEVIATIONS: readonly Deviation[] = [
  {
    stack: 'docker/scs',
    id: 'kernel',
    reason:
      'CAPD machines are containers sharing the host kernel: writing /etc/sysctl.d and running `sysctl --system` would change the developer\'s machine, so the stack passes protectKernelDefaults: false (stacks/docker/scs/stack.ts).',
  },
];

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'deviation';

export interface EvaluatedResult extends CheckResult {
  /** Number of the static check (1–7 of the baseline, 8 for the N-variables). */
  readonly check: number;
  readonly status: CheckStatus;
  /** The deviation's reason, when the status is `deviation`. */
  readonly deviation?: string;
}

export function deviationFor(stack: string, id: string, deviations: readonly Deviation[] = DEVIATIONS): Deviation | undefined {
  return deviations.find((d) => d.stack === stack && d.id === id);
}

/** Runs every static check on one bundle and applies the deviations table. */
export function runStaticChecks(o: HardeningObjects, deviations: readonly Deviation[] = DEVIATIONS): EvaluatedResult[] {
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
export function staleDeviations(results: readonly { readonly stack: string; readonly results: readonly EvaluatedResult[] }[], deviations: readonly Deviation[] = DEVIATIONS): Deviation[] {
  const stacks = new Set(results.map((r) => r.stack));
  return deviations.filter((d) => stacks.has(d.stack) && !results.some((r) => r.stack === d.stack && r.results.some((x) => x.id === d.id && x.status === 'deviation')));
}
