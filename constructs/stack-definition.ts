import type { ClusterStack } from './cluster-stack.ts';

/** One row of a stack's versions table: a Kubernetes minor and its component versions. */
export interface StackVersionsRow {
  /** Full Kubernetes version, e.g. `1.34.7`. */
  readonly kubernetes: string;
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
  build(stack: ClusterStack, row: Row): void;
}

/** Keeps the row type of a definition while typing it. */
export function defineClusterStack<Row extends StackVersionsRow>(definition: ClusterStackDefinition<Row>): ClusterStackDefinition<Row> {
  return definition;
}
