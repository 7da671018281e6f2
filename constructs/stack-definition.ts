import type { ClusterStack } from './cluster-stack.ts';

/** One row of a stack's versions table: a Kubernetes minor and its component versions. */
export interface StackVersionsRow {
  /** Full Kubernetes version, e.g. `1.34.7`. */
  readonly kubernetes: string;
}

/**
 * A documented, deliberate deviation of a stack from one item of the
 * security baseline (constructs/hardening/BASELINE.md). The compliance
 * checks (`npm run compliance`) report a failing item the stack declares as
 * `deviation` instead of FAIL, and flag a declaration no failing check needs.
 */
export interface HardeningDeviation {
  /** The baseline item as the checks report it: `kernel`, `1.2.15`, or `CIS <kube-bench id>`. */
  readonly id: string;
  /** Why, and where the stack does it. */
  readonly reason: string;
}

/**
 * A cluster stack defined once for every Kubernetes minor in its versions
 * table. `build` receives an empty ClusterStack for one row and fills in the
 * provider specifics.
 */
export interface ClusterStackDefinition<Row extends StackVersionsRow = StackVersionsRow> {
  readonly provider: string;
  readonly stack: string;
  /** One line for tables and docs. */
  readonly description: string;
  /** One row per Kubernetes minor. */
  readonly versions: readonly Row[];
  /** Baseline items this stack leaves out on purpose. Keep it short: each is a weaker cluster. @default none */
  readonly hardeningDeviations?: readonly HardeningDeviation[];
  build(stack: ClusterStack, row: Row): void;
}

/** Keeps the row type of a definition while typing it. */
export function defineClusterStack<Row extends StackVersionsRow>(definition: ClusterStackDefinition<Row>): ClusterStackDefinition<Row> {
  return definition;
}
