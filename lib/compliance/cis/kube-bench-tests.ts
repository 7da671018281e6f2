import type { Json } from '../json.ts';
import type { KubeBenchCheck, KubeBenchTest } from './types.ts';

/**
 * kube-bench's test semantics (check/test.go and check/check.go of
 * aquasecurity/kube-bench v0.15.6), re-implemented for audit output the
 * node model renders: a flag is found by substring and read with
 * `(flag)(=|: *)*([^\s]*)`, a bare `--flag` reads "true"; when the flag is
 * not on the command line and the check has an audit_config, the test's
 * JSONPath is read from the configuration; `set` defaults to true; the
 * compare ops eq/noteq (booleans case-insensitive), gt/gte/lt/lte, has,
 * nothave, regex, valid_elements and bitmask; use_multiple_values tests
 * every output line; bin_op and/or combines the items.
 */

export interface AuditOutput {
  /** What the audit command prints. */
  readonly output: string;
  /** What audit_config prints (the configuration file), if anything. */
  readonly config?: string;
}

export interface TestOutcome {
  readonly passed: boolean;
  /** One line per test item: what it expected and what it found. */
  readonly detail: string;
}

function findFlag(s: string, flag: string): { match: boolean; value: string } {
  if (s === '' || flag === '' || !s.includes(flag)) return { match: false, value: '' };
  const m = new RegExp(`(${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(=|: *)*([^\\s]*) *`).exec(s);
  if (!m) return { match: true, value: '' };
  return { match: true, value: m[3] !== '' ? m[3] : flag.startsWith('--') ? 'true' : m[1] };
}

function printJson(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The JSONPath forms kube-bench's cis-1.12 uses: `{.a.b}` and `{range .list[:]}{}{','}{end}`. */
function jsonPath(doc: Json | undefined, path: string): string {
  const range = /^\{range \.([A-Za-z0-9_.]+)\[:\]\}\{\}\{'(.)'\}\{end\}$/.exec(path);
  const walk = (dotted: string): Json | undefined =>
    dotted.split('.').reduce<Json | undefined>((v, k) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v[k] : undefined), doc);
  if (range) {
    const list = walk(range[1]);
    return Array.isArray(list) ? list.map((x) => `${printJson(x)}${range[2]}`).join('') : '';
  }
  const plain = /^\{\.([A-Za-z0-9_.]+)\}$/.exec(path);
  if (!plain) throw new Error(`JSONPath ${path} is not one the node model evaluates`);
  return printJson(walk(plain[1]));
}

function parseConfig(config: string): Json | undefined {
  try {
    return JSON.parse(config) as Json;
  } catch {
    return undefined;
  }
}

function compare(op: string, flagValue: string, expected: string): boolean {
  switch (op) {
    case 'eq': {
      const v = flagValue.toLowerCase();
      return v === 'false' || v === 'true' ? v === expected : flagValue === expected;
    }
    case 'noteq': {
      const v = flagValue.toLowerCase();
      return v === 'false' || v === 'true' ? v !== expected : flagValue !== expected;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = /^\s*-?\d+\s*$/.test(flagValue) ? Number(flagValue) : NaN;
      const b = Number(expected);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
    }
    case 'has':
      return flagValue.includes(expected);
    case 'nothave':
      return !flagValue.includes(expected);
    case 'regex':
      return new RegExp(expected).test(flagValue);
    case 'valid_elements': {
      const split = (s: string) => {
        const clean = s.trim().replace(/,+$/, '');
        return clean === '' ? [] : clean.split(',').map((x) => x.trim());
      };
      const have = split(flagValue);
      const allowed = split(expected);
      if (have.length === 0 && allowed.length === 0) return true;
      if (have.length === 0 || allowed.length === 0) return false;
      return have.every((x) => allowed.includes(x));
    }
    case 'bitmask': {
      if (!/^[0-7]+$/.test(flagValue) || !/^[0-7]+$/.test(expected)) return false;
      const requested = parseInt(flagValue, 8);
      return (parseInt(expected, 8) & requested) === requested;
    }
    default:
      throw new Error(`compare op ${op} is not one kube-bench knows`);
  }
}

function describe(t: KubeBenchTest, name: string): string {
  if (!t.set) return `${name} not present`;
  return t.compare ? `${name} ${t.compare.op} ${t.compare.value}` : `${name} present`;
}

/** One test item against one line of audit output (and the configuration). */
function runItem(t: KubeBenchTest, line: string, config: string | undefined): { passed: boolean; found: string } {
  let match = false;
  let value = '';
  if (t.flag !== undefined) ({ match, value } = findFlag(line, t.flag));
  if (!match && t.path !== undefined && config !== undefined && config !== '') {
    value = jsonPath(parseConfig(config), t.path);
    match = value !== '';
  }
  const passed = !t.set ? !match : match && t.compare ? compare(t.compare.op, value, t.compare.value) : match;
  return { passed, found: match ? JSON.stringify(value) : 'not present' };
}

export function runKubeBenchTests(check: KubeBenchCheck, audit: AuditOutput): TestOutcome {
  const lines = check.useMultipleValues ? audit.output.replace(/[ \n]+$/, '').split('\n') : [audit.output.replace(/[ \n]+$/, '')];
  const results = check.tests.map((t) => {
    const name = t.flag ?? t.path ?? '?';
    for (const line of lines) {
      const r = runItem(t, line, audit.config);
      if (!r.passed) return { passed: false, text: `${describe(t, name)}: got ${r.found}${lines.length > 1 ? ` in "${line}"` : ''}` };
    }
    return { passed: true, text: `${describe(t, name)}: ok` };
  });
  const or = (check.binOp ?? '').trim().toLowerCase() === 'or';
  const passed = or ? results.some((r) => r.passed) : results.every((r) => r.passed);
  return { passed, detail: results.map((r) => r.text).join(or ? ' OR ' : '; ') };
}
