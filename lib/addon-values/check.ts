import type { ClusterAddon, OverwriteValue } from '../../constructs/cluster-addon.ts';
import { Expr } from '../../constructs/expression.ts';
import { valuesTemplateValues } from '../../constructs/helm-chart-proxy.ts';
import { pinnedContract, type ContractNode, type ValuesContract, type ValueType } from './contract.ts';

/**
 * Checks addon values against the values contract of the chart version
 * they are for: every key must be one the chart reads, with a type it
 * accepts. Works on the typed model (the addon's values and overwrite
 * objects, before serialization), in the three places they end up:
 * `values.yaml`, `overwrite.yaml` (for every combination of the branches
 * its expressions can take) and each HelmChartProxy's `valuesTemplate`.
 */

/** One values document as a chart receives it, and where it is written. */
export interface ValuesDocument {
  /** The bundle file (and object) it is written to, e.g. `cluster-addon/cni/values.yaml`. */
  readonly file: string;
  /** Key path prefix in that file before the chart's own values (values.yaml nests them under the chart name). */
  readonly prefix: readonly string[];
  /** The values, expressions replaced by one of their outcomes. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Which branch of the expressions this is, for the message; empty when the document has none. */
  readonly branch: string;
}

/** Stands for an expression whose outcomes are unknown: its key is checked, its value is not. */
const UNKNOWN = Symbol('unknown expression value');

/** At most this many branch combinations per document; beyond it each expression is varied alone. */
const MAX_COMBINATIONS = 256;

interface Leaf {
  readonly path: readonly string[];
  readonly outcomes: readonly unknown[];
}

function isMap(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Expr);
}

function expressionLeaves(value: unknown, path: readonly string[] = [], out: Leaf[] = []): Leaf[] {
  if (value instanceof Expr) out.push({ path, outcomes: value.outcomes && value.outcomes.length > 0 ? value.outcomes : [UNKNOWN] });
  else if (Array.isArray(value)) value.forEach((v, i) => expressionLeaves(v, [...path, String(i)], out));
  else if (isMap(value)) for (const [k, v] of Object.entries(value)) expressionLeaves(v, [...path, k], out);
  return out;
}

function materialize(value: unknown, choose: (path: readonly string[]) => unknown, path: readonly string[] = []): unknown {
  if (value instanceof Expr) return choose(path);
  if (Array.isArray(value)) return value.map((v, i) => materialize(v, choose, [...path, String(i)]));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, choose, [...path, k])]));
  return value;
}

/**
 * The documents a values tree with expressions stands for: one per
 * combination of the expressions' outcomes (all of them up to
 * MAX_COMBINATIONS; beyond, each expression's outcomes with the others at
 * their first, which still shows every key and type each branch writes).
 */
export function branchDocuments(file: string, prefix: readonly string[], values: Readonly<Record<string, unknown>>): ValuesDocument[] {
  const leaves = expressionLeaves(values);
  const key = (p: readonly string[]) => p.join('\u0000');
  const render = (choice: ReadonlyMap<string, number>): ValuesDocument => {
    const branch = leaves
      .filter((l) => l.outcomes.length > 1)
      .map((l) => `${formatPath(l.path)} = ${JSON.stringify(l.outcomes[choice.get(key(l.path)) ?? 0])}`)
      .join(', ');
    const chosen = materialize(values, (p) => {
      const leaf = leaves.find((l) => key(l.path) === key(p)) as Leaf;
      return leaf.outcomes[choice.get(key(p)) ?? 0];
    }) as Record<string, unknown>;
    return { file, prefix, values: chosen, branch };
  };
  const total = leaves.reduce((n, l) => n * l.outcomes.length, 1);
  const choices: Map<string, number>[] = [];
  if (total <= MAX_COMBINATIONS) {
    let acc: Map<string, number>[] = [new Map()];
    for (const l of leaves) acc = acc.flatMap((c) => l.outcomes.map((_, i) => new Map([...c, [key(l.path), i]])));
    choices.push(...acc);
  } else {
    choices.push(new Map());
    for (const l of leaves) for (let i = 1; i < l.outcomes.length; i++) choices.push(new Map([[key(l.path), i]]));
  }
  return choices.map(render);
}

/** The documents of an addon: values.yaml, overwrite.yaml per branch, and the HelmChartProxy valuesTemplate per branch. */
export function addonValuesDocuments(addon: ClusterAddon, proxyName?: string): ValuesDocument[] {
  const dir = `cluster-addon/${addon.name}`;
  const docs: ValuesDocument[] = [{ file: `${dir}/values.yaml`, prefix: [addon.chart.name], values: addon.values, branch: '' }];
  if (addon.overwrite) docs.push(...branchDocuments(`${dir}/overwrite.yaml`, [addon.chart.name], addon.overwrite as Readonly<Record<string, OverwriteValue>>));
  const proxy = proxyName === undefined ? 'HelmChartProxy' : `HelmChartProxy ${proxyName}`;
  docs.push(...branchDocuments(`helm-chart-proxies.yaml ${proxy} spec.valuesTemplate`, [], valuesTemplateValues(addon)));
  return docs;
}

function formatPath(path: readonly string[]): string {
  return path.map((s, i) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join('');
}

function typeOf(value: unknown): ValueType {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'map';
}

function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** Every key path of the contract, for hints. */
function allPaths(node: ContractNode, path: readonly string[] = [], out: string[][] = []): string[][] {
  for (const [k, child] of Object.entries(node.keys ?? {})) {
    out.push([...path, k]);
    allPaths(child, [...path, k], out);
  }
  return out;
}

/**
 * The nearest existing key: the same key name elsewhere in the chart (a key
 * at the wrong level), else the closest sibling by edit distance, else the
 * siblings there are.
 */
function hint(contract: ValuesContract, parent: ContractNode, parentPath: readonly string[], key: string): string {
  const elsewhere = allPaths(contract.values).filter((p) => p[p.length - 1] === key);
  if (elsewhere.length > 0) {
    const shown = elsewhere.slice(0, 4).map(formatPath);
    return `nearest existing key: ${shown.join(' or ')}${elsewhere.length > 4 ? ` (and ${elsewhere.length - 4} more)` : ''}`;
  }
  const siblings = Object.keys(parent.keys ?? {});
  const ranked = siblings.map((s) => ({ s, d: editDistance(s, key) })).sort((a, b) => a.d - b.d || (a.s < b.s ? -1 : 1));
  if (ranked.length > 0 && ranked[0].d <= Math.max(2, Math.floor(key.length / 3))) return `nearest existing key: ${formatPath([...parentPath, ranked[0].s])}`;
  return siblings.length > 0 ? `keys there: ${siblings.slice(0, 12).join(', ')}${siblings.length > 12 ? ', …' : ''}` : 'the chart reads no keys below it';
}

function compatible(type: ValueType, accepted: readonly ValueType[]): boolean {
  return accepted.includes('any') || accepted.includes(type);
}

/** Problems of one document against a contract, one line each. */
function checkDocument(doc: ValuesDocument, contract: ValuesContract, where: string): string[] {
  const problems: string[] = [];
  const branch = doc.branch === '' ? '' : ` (branch ${doc.branch})`;
  const at = (path: readonly string[]) => formatPath([...doc.prefix, ...path]);
  const walk = (value: unknown, node: ContractNode, path: readonly string[]): void => {
    // null deletes the chart's default, whatever its type.
    if (value === null || value === UNKNOWN || value === undefined) return;
    const type = typeOf(value);
    if (!compatible(type, node.types)) {
      problems.push(`${where} ${doc.file}: ${at(path)} is a ${type}, but ${contract.chart} ${contract.version} reads it as ${node.types.join(' or ')}${branch}`);
      return;
    }
    if (type !== 'map' || node.open || !node.keys) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = node.keys[k];
      if (!child) {
        problems.push(`${where} ${doc.file}: unknown key ${at([...path, k])}: ${contract.chart} ${contract.version} does not read it (${hint(contract, node, path, k)})${branch}`);
        continue;
      }
      walk(v, child, [...path, k]);
    }
  };
  walk(doc.values, contract.values, []);
  return problems;
}

/**
 * Problems of an addon's values in all three places, against the contract
 * of its chart version; a chart version without a contract is a problem.
 */
export function checkAddonValues(addon: ClusterAddon, where: string, options: { readonly proxyName?: string; readonly contracts?: ReadonlyMap<string, ValuesContract> } = {}): string[] {
  const contract = options.contracts ? options.contracts.get(`${addon.chart.name}@${addon.chart.version}`) : pinnedContract(addon.chart.name, addon.chart.version);
  const name = `${where} addon '${addon.name}'`;
  if (!contract) {
    return [
      `${name}: no values contract for chart ${addon.chart.name} ${addon.chart.version}; ` +
        `derive it with 'npm run addon-contract -- <chart folder> …' (README, "Addon values contracts")`,
    ];
  }
  // Only with the pinned contracts, which stay the same while the process runs.
  const key = options.contracts === undefined ? cleanKey(addon, options.proxyName) : undefined;
  if (key !== undefined && cleanValues.has(key)) return [];
  const out = problemsOf(addon, contract, name, options.proxyName);
  if (key !== undefined && out.length === 0) {
    if (cleanValues.size >= CLEAN_VALUES_LIMIT) cleanValues.clear();
    cleanValues.add(key);
  }
  return out;
}

/**
 * Values found clean, by cleanKey: the next bundles of a matrix carry the
 * same values for the same chart, and a check is a pure function of them
 * and the contract (the expressions count by their outcomes), so each is
 * checked once per process. Emptied whole when full, which bounds it.
 */
const cleanValues = new Set<string>();
const CLEAN_VALUES_LIMIT = 10_000;

/**
 * Everything a check of an addon's values reads, as text: chart and
 * version, the HelmChartProxy's name, the addon's name, and its values and
 * overwrite values, keys in their order, an expression by its outcomes.
 * Undefined for values holding anything else (then the check runs).
 */
function cleanKey(addon: ClusterAddon, proxyName: string | undefined): string | undefined {
  const parts: string[] = [];
  const walk = (value: unknown): boolean => {
    if (value instanceof Expr) {
      // Unquoted, so no string value reads the same.
      parts.push(value.outcomes === undefined ? 'E?' : 'E');
      return value.outcomes === undefined || walk(value.outcomes);
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      parts.push(JSON.stringify(value));
      return true;
    }
    if (Array.isArray(value)) {
      parts.push('[');
      for (const v of value) {
        if (!walk(v)) return false;
        parts.push(',');
      }
      parts.push(']');
      return true;
    }
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      parts.push('{');
      for (const [k, v] of Object.entries(value)) {
        parts.push(JSON.stringify(k), ':');
        if (!walk(v)) return false;
        parts.push(',');
      }
      parts.push('}');
      return true;
    }
    return false;
  };
  parts.push(JSON.stringify([addon.chart.name, addon.chart.version, proxyName ?? null, addon.name]));
  if (!walk(addon.values)) return undefined;
  parts.push(addon.overwrite === undefined ? 'no overwrite' : 'overwrite');
  if (addon.overwrite !== undefined && !walk(addon.overwrite)) return undefined;
  return parts.join('');
}

function problemsOf(addon: ClusterAddon, contract: ValuesContract, name: string, proxyName: string | undefined): string[] {
  // The same key in the same place is reported once per file, not once per branch.
  const seen = new Set<string>();
  const out: string[] = [];
  for (const doc of addonValuesDocuments(addon, proxyName)) {
    for (const p of checkDocument(doc, contract, name)) {
      const base = p.replace(/ \(branch [^)]*\)$/, '');
      if (seen.has(base)) continue;
      seen.add(base);
      out.push(p);
    }
  }
  return out;
}

/** Throws one error listing every problem of the addons' values. */
export function assertAddonValues(addons: readonly ClusterAddon[], where: string, proxyNameOf?: (addon: ClusterAddon) => string): void {
  const problems = addons.flatMap((a) => checkAddonValues(a, where, { proxyName: proxyNameOf?.(a) }));
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
