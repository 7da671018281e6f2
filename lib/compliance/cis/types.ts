/** One test item of a kube-bench check (cfg/<benchmark>/*.yaml `tests.test_items[]`). */
export interface KubeBenchTest {
  /** Command-line flag (`--profiling`) or a word of the audit output (`permissions`, `root:root`). */
  readonly flag?: string;
  /** JSONPath into the configuration file (`audit_config`), used when the flag is not on the command line. */
  readonly path?: string;
  /** false: the flag must be absent. kube-bench defaults it to true. */
  readonly set: boolean;
  readonly compare?: { readonly op: string; readonly value: string };
}

/** One kube-bench check, as its YAML says. */
export interface KubeBenchCheck {
  readonly id: string;
  /** The file of the benchmark folder it comes from. */
  readonly file: string;
  readonly group: string;
  readonly text: string;
  /** What the CIS text says: (Automated) or (Manual). */
  readonly type: 'automated' | 'manual';
  /** kube-bench's `type:` (manual: no test, always a warning). */
  readonly kubeBenchType?: string;
  readonly scored: boolean;
  readonly audit: string;
  readonly auditConfig?: string;
  readonly useMultipleValues?: boolean;
  readonly binOp?: string;
  readonly tests: readonly KubeBenchTest[];
}
