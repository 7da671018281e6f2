import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { ContractNode, ContractSource, ValuesContract, ValueType } from './contract.ts';

/**
 * Derives a chart's values contract from its folder: values.yaml (the keys
 * and the types of their defaults), values.schema.json where the chart has
 * one (its types win: Helm enforces them), and the `.Values.…` references in
 * templates/ (`.Values.a.b`, `$.Values.a`, `$root.Values.a`,
 * `index .Values "a" "b"`, `hasKey .Values.a "b"`). A subtree the templates
 * pass on whole (`toYaml`, `toJson`, `tpl`, `omit`, `range` over it, `with`
 * it and then `toYaml .`, a helper's `"value"` argument) is free-form.
 *
 * Heuristic where templates are concerned: a key read only relatively inside
 * `with`/`range` of a parent and absent from values.yaml and the schema is
 * not seen. Subcharts in charts/ have values of their own and are not read.
 */

/** Working tree: like ContractNode, mutable, with why a node is open. */
interface Draft {
  types: Set<ValueType>;
  /** 'whole': templates pass it on whole; 'empty': an empty map default; 'schema': the schema leaves it open. */
  open?: 'whole' | 'empty' | 'schema';
  keys: Map<string, Draft>;
}

function draft(types: Iterable<ValueType> = []): Draft {
  return { types: new Set(types), keys: new Map() };
}

function typeOf(value: unknown): ValueType {
  if (value === null || value === undefined) return 'any';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'map';
    default:
      return 'any';
  }
}

/** values.yaml defaults → draft tree. */
function fromValues(value: unknown): Draft {
  const t = typeOf(value);
  const node = draft([t]);
  if (t === 'map') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) node.open = 'empty';
    for (const [k, v] of entries) node.keys.set(k, fromValues(v));
  }
  return node;
}

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

function schemaTypes(schema: JsonSchema): Set<ValueType> {
  const out = new Set<ValueType>();
  const raw = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
  for (const t of raw) {
    if (t === 'object') out.add('map');
    else if (t === 'array') out.add('list');
    else if (t === 'integer' || t === 'number') out.add('number');
    else if (t === 'string' || t === 'boolean') out.add(t);
    // 'null': Helm accepts null for any key (it deletes the default), so it adds nothing.
  }
  for (const sub of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) for (const t of schemaTypes(sub)) out.add(t);
  if (schema.properties && out.size === 0) out.add('map');
  return out;
}

/** Lays the schema over the values.yaml tree: schema types replace default-derived ones. */
function applySchema(node: Draft, schema: JsonSchema): void {
  const types = schemaTypes(schema);
  if (types.size > 0) node.types = types;
  if (!types.has('map')) return;
  const props = schema.properties ?? {};
  const additional = schema.additionalProperties;
  if (Object.keys(props).length === 0 || (additional !== undefined && additional !== false)) {
    if (Object.keys(props).length === 0 && node.keys.size > 0 && node.open === undefined) {
      // A map the schema does not describe but values.yaml does: values.yaml's keys stand.
    } else {
      node.open = node.open ?? 'schema';
    }
  }
  for (const [k, sub] of Object.entries(props)) {
    let child = node.keys.get(k);
    if (!child) {
      child = draft();
      node.keys.set(k, child);
    }
    applySchema(child, sub);
  }
}

// A reference to the values root: `.Values`, `$.Values`, `$root.Values`.
const ROOT = String.raw`(?<![\w)\].])(?:\$\w*)?\.Values`;
const REF = String.raw`${ROOT}((?:\.\w+)*)`;
const WHOLE_FUNCS = 'toYaml|toJson|toPrettyJson|toRawJson|mustToJson|mustToPrettyJson|tpl|omit|keys|values';

function segments(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

function ensure(root: Draft, path: readonly string[]): Draft {
  let node = root;
  for (const seg of path) {
    node.types.delete('any');
    node.types.add('map');
    // Children read by templates close a map that was open only for being empty.
    if (node.open === 'empty') node.open = undefined;
    let child = node.keys.get(seg);
    if (!child) {
      child = draft(['any']);
      node.keys.set(seg, child);
    }
    node = child;
  }
  return node;
}

/** Template files of the chart itself (not of subcharts). */
function templateFiles(chartDir: string): string[] {
  const dir = join(chartDir, 'templates');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|tpl|txt|json)$/.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Reads the references of every template into the tree; returns the paths passed on whole. */
function applyTemplates(root: Draft, texts: readonly string[]): void {
  const whole: string[][] = [];
  for (const text of texts) {
    const withoutComments = text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
    const actions = [...withoutComments.matchAll(/\{\{([\s\S]*?)\}\}/g)];
    for (const [i, m] of actions.entries()) {
      // String literals are not references; keep their positions for index/hasKey.
      const action = m[1];
      for (const r of action.matchAll(new RegExp(REF, 'g'))) ensure(root, segments(r[1]));
      // index <ref> "a" "b" / hasKey <ref> "a"
      for (const r of action.matchAll(new RegExp(String.raw`\b(?:index|hasKey)\s+\(?\s*${REF}\s*\)?((?:\s+"[^"]*")+)`, 'g'))) {
        const keys = [...r[2].matchAll(/"([^"]*)"/g)].map((k) => k[1]);
        ensure(root, [...segments(r[1]), ...keys]);
      }
      // Passed on whole: fn <ref>, <ref> | fn, range over <ref>, a helper's "value" <ref>.
      for (const r of action.matchAll(new RegExp(String.raw`\b(?:${WHOLE_FUNCS})\s+\(?\s*${REF}\s*\)?`, 'g'))) whole.push(segments(r[1]));
      for (const r of action.matchAll(new RegExp(String.raw`${REF}\s*\|\s*(?:${WHOLE_FUNCS})\b`, 'g'))) whole.push(segments(r[1]));
      for (const r of action.matchAll(new RegExp(String.raw`^\s*-?\s*range\s+(?:\$\w+\s*(?:,\s*\$\w+\s*)?:=\s*)?${REF}\s*-?\s*$`, 'g'))) whole.push(segments(r[1]));
      for (const r of action.matchAll(new RegExp(String.raw`"value"\s+${REF}`, 'g'))) whole.push(segments(r[1]));
      // with <ref> … then the body hands `.` on whole.
      const w = new RegExp(String.raw`^\s*-?\s*with\s+${REF}\s*-?\s*$`).exec(action);
      if (w) {
        const start = (m.index ?? 0) + m[0].length;
        const end = actions.slice(i + 1).find((a) => /^\s*-?\s*end\b/.test(a[1]));
        const body = withoutComments.slice(start, end?.index ?? withoutComments.length);
        if (new RegExp(String.raw`\b(?:${WHOLE_FUNCS})\s+\.\s*[|)}\s-]|\.\s*\|\s*(?:${WHOLE_FUNCS})\b|range\s+\.\s*-?\}\}`).test(body)) whole.push(segments(w[1]));
      }
    }
  }
  for (const path of whole) {
    if (path.length === 0) continue;
    const node = ensure(root, path);
    node.open = 'whole';
  }
}

function freeze(node: Draft): ContractNode {
  const types = [...node.types].sort() as ValueType[];
  const out: { types: ValueType[]; open?: true; keys?: Record<string, ContractNode> } = { types: types.length > 0 ? types : ['any'] };
  if (node.open !== undefined) out.open = true;
  else if (node.keys.size > 0) {
    out.keys = Object.fromEntries([...node.keys.keys()].sort().map((k) => [k, freeze(node.keys.get(k) as Draft)]));
  }
  return out;
}

export interface ExtractOptions {
  readonly source: ContractSource;
  /** Version to record when the Chart.yaml in the sources carries a placeholder. @default Chart.yaml's version */
  readonly version?: string;
}

/** The values contract of the chart in `chartDir`. */
export function extractContract(chartDir: string, options: ExtractOptions): ValuesContract {
  const chartYamlPath = join(chartDir, 'Chart.yaml');
  if (!existsSync(chartYamlPath)) throw new Error(`${chartDir}: no Chart.yaml; expected a Helm chart folder`);
  const chart = yaml.load(readFileSync(chartYamlPath, 'utf8')) as { name?: unknown; version?: unknown } | null;
  if (typeof chart?.name !== 'string') throw new Error(`${chartYamlPath}: has no 'name'`);
  const version = options.version ?? String(chart.version);
  const derivedFrom: string[] = [];
  const valuesPath = join(chartDir, 'values.yaml');
  let root = draft(['map']);
  if (existsSync(valuesPath)) {
    const values = yaml.load(readFileSync(valuesPath, 'utf8')) ?? {};
    if (typeOf(values) !== 'map') throw new Error(`${valuesPath}: is not a map`);
    root = fromValues(values);
    root.open = undefined;
    derivedFrom.push('values.yaml');
  }
  const schemaPath = join(chartDir, 'values.schema.json');
  if (existsSync(schemaPath)) {
    applySchema(root, JSON.parse(readFileSync(schemaPath, 'utf8')) as JsonSchema);
    // The root is never free-form: every chart reads named keys.
    root.open = undefined;
    derivedFrom.push('values.schema.json');
  }
  const templates = templateFiles(chartDir);
  if (templates.length > 0) {
    applyTemplates(root, templates.map((f) => readFileSync(f, 'utf8')));
    derivedFrom.push(`.Values references in templates/ (${templates.length} files)`);
  }
  root.open = undefined;
  return { chart: chart.name, version, source: options.source, derivedFrom, values: freeze(root) };
}
