import { Expr, ROOT_CONTEXT } from './expression.ts';
import { escapeGoTemplate } from './go-template.ts';
import { assertDnsLabel } from './names.ts';
import { emitYaml } from './yaml-emitter.ts';

/** The upstream Helm chart an addon wraps, pinned. */
export interface HelmChartDependency {
  /** Chart name in the repository. */
  readonly name: string;
  /** Helm repository URL (https:// or oci://). */
  readonly repository: string;
  /** Exact chart version; ranges are refused so a release is reproducible. */
  readonly version: string;
}

/** A values tree whose leaves may be expressions over the workload cluster (see addon-context.ts). */
export type OverwriteValue = string | number | boolean | null | Expr<unknown> | readonly OverwriteValue[] | { readonly [key: string]: OverwriteValue };

export interface ClusterAddonProps {
  /** Folder name in the cluster-addon archive; clusteraddon.yaml stages refer to it. */
  readonly name: string;
  /** Shown in the wrapper's Chart.yaml and in the docs. */
  readonly description: string;
  readonly chart: HelmChartDependency;
  /** Values for the upstream chart (nested under its name in values.yaml). @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /**
   * Values computed per workload cluster by the operator from `overwrite.yaml`.
   * @default - no overwrite.yaml
   */
  readonly overwrite?: Readonly<Record<string, OverwriteValue>>;
}

/** A file of the bundle: path relative to the bundle folder and its content. */
export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

const WRAPPER_CHART_VERSION = 'v1';

/**
 * One core addon (CNI, CCM, CSI, metrics-server, …): a wrapper Helm chart
 * whose only content is a pinned dependency on the upstream chart, its
 * values, and optional per-cluster values (`overwrite.yaml`).
 *
 * The wrapper's own version stays `v1`: the addon version lives in
 * metadata.yaml, and a version inside the content would change the content
 * hash on every bump.
 */
export class ClusterAddon {
  public readonly name: string;
  public readonly description: string;
  public readonly chart: HelmChartDependency;
  public readonly values: Readonly<Record<string, unknown>>;
  public readonly overwrite: Readonly<Record<string, OverwriteValue>> | undefined;

  public constructor(props: ClusterAddonProps) {
    assertDnsLabel(props.name, 'addon name');
    const where = `addon '${props.name}'`;
    if (!props.chart.name) throw new Error(`${where}: 'chart.name' is empty`);
    if (!/^(https?|oci):\/\/\S+$/.test(props.chart.repository)) {
      throw new Error(`${where}: 'chart.repository' must be an http(s):// or oci:// URL, got '${props.chart.repository}'`);
    }
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(props.chart.version)) {
      throw new Error(`${where}: 'chart.version' must be an exact SemVer version, got '${props.chart.version}'`);
    }
    this.name = props.name;
    this.description = props.description;
    this.chart = props.chart;
    this.values = props.values ?? {};
    this.overwrite = props.overwrite;
  }

  /** Chart.yaml, values.yaml and overwrite.yaml, relative to `cluster-addon/<name>/`. */
  public files(): BundleFile[] {
    const chartYaml = {
      apiVersion: 'v2',
      type: 'application',
      name: this.name,
      description: this.description,
      version: WRAPPER_CHART_VERSION,
      dependencies: [{ name: this.chart.name, alias: this.chart.name, repository: this.chart.repository, version: this.chart.version }],
    };
    const files: BundleFile[] = [
      { path: 'Chart.yaml', content: dumpYaml(chartYaml) },
      { path: 'values.yaml', content: dumpYaml({ [this.chart.name]: this.values }) },
    ];
    if (this.overwrite) files.push({ path: 'overwrite.yaml', content: renderOverwrite({ [this.chart.name]: this.overwrite }) });
    return files;
  }
}

// The key order lives with the writer that sorts by it; re-exported for the modules that import it from here.
export { compareYamlKeys } from './yaml-emitter.ts';

/** Deterministic YAML: a fixed key order (compareYamlKeys), no line folding, no anchors. */
export function dumpYaml(value: unknown): string {
  return emitYaml(value);
}

/**
 * overwrite.yaml: `values: |` holding a values document that the operator
 * renders as a Go template with `.Cluster`, `.ControlPlane`, `.InfraCluster`.
 */
function renderOverwrite(values: Readonly<Record<string, OverwriteValue>>): string {
  return dumpYaml({ values: renderValuesDocument(values) });
}

const EXPRESSION_PLACEHOLDER = '__values_expression_';

/** A copy of a values tree with every expression replaced. */
function substituteExpressions(value: unknown, replace: (e: Expr<unknown>) => unknown): unknown {
  if (value instanceof Expr) return replace(value);
  if (Array.isArray(value)) return value.map((v) => substituteExpressions(v, replace));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteExpressions(v, replace)]));
  return value;
}

/**
 * A values document rendered per workload cluster (the operator's
 * overwrite.yaml, CAAPH's valuesTemplate): YAML of `values` where each
 * expression becomes `{{ … | toJson }}`, so any value stays a well-formed
 * YAML scalar, and literal text is escaped so it is not taken for a
 * template; the variable assignments the expressions need come first, once
 * each. While the YAML is written, expressions stand in as placeholders; a
 * placeholder the literal text already contains is lengthened until it does
 * not, so literal text never turns into an expression.
 */
/** The expressions in a values tree, in document order. */
export function expressionsIn(values: unknown): Expr<unknown>[] {
  const out: Expr<unknown>[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Expr) out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(values);
  return out;
}

/**
 * Whether a key or a string of a values tree (expressions aside) holds
 * `text`. For text of letters, digits and '_' this is whether the YAML of the
 * tree holds it: YAML writes such characters as they are (no escape, fold or
 * quote is made of them), and everything it writes around a key or a string
 * is other characters, so no match spans two of them.
 */
function textHolds(value: unknown, text: string): boolean {
  if (typeof value === 'string') return value.includes(text);
  if (value instanceof Expr || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => textHolds(v, text));
  return Object.entries(value).some(([k, v]) => k.includes(text) || textHolds(v, text));
}

export function renderValuesDocument(values: unknown): string {
  let placeholder = EXPRESSION_PLACEHOLDER;
  while (textHolds(values, placeholder)) placeholder = `${placeholder}x`;
  const expressions: Expr<unknown>[] = [];
  const literal = dumpYaml(
    substituteExpressions(values, (e) => {
      expressions.push(e);
      return `${placeholder}${expressions.length - 1}__`;
    }),
  );
  const rendered = escapeGoTemplate(literal).replace(new RegExp(`${placeholder}([0-9]+)__`, 'g'), (_, i: string) => `{{ ${expressions[Number(i)].render(ROOT_CONTEXT)} | toJson }}`);
  const preludes = [...new Set(expressions.flatMap((e) => e.preludes))];
  return preludes.length > 0 ? `${preludes.join('\n')}\n${rendered}` : rendered;
}
