import type { Json } from './json.ts';

/**
 * A small evaluator for ClusterClass `enabledIf` strings of the form
 * `{{ if <pipeline> }}true{{ end }}`, with Go text/template semantics where
 * they matter for patches: `and`/`or` short-circuit and return an operand,
 * truthiness of empty values, a field of a missing value is an error, and
 * `eq`/`ne` refuse to compare an integer literal with a JSON number (which
 * Cluster API decodes as float64). Anything else is reported as unsupported
 * rather than guessed.
 */

type GoValue =
  | { readonly t: 'int' | 'float'; readonly v: number }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'nil' }
  | { readonly t: 'map'; readonly v: Readonly<Record<string, Json>> }
  | { readonly t: 'list'; readonly v: readonly Json[] };

type Node =
  | { readonly type: 'literal'; readonly value: GoValue }
  | { readonly type: 'field'; readonly path: readonly string[] }
  | { readonly type: 'call'; readonly fn: string; readonly args: readonly Node[] };

export type ConditionResult = { readonly ok: true; readonly enabled: boolean } | { readonly ok: false; readonly error: string };

const NIL: GoValue = { t: 'nil' };

function fromJson(value: Json | undefined): GoValue {
  if (value === undefined || value === null) return NIL;
  if (typeof value === 'boolean') return { t: 'bool', v: value };
  if (typeof value === 'number') return { t: 'float', v: value };
  if (typeof value === 'string') return { t: 'string', v: value };
  if (Array.isArray(value)) return { t: 'list', v: value };
  return { t: 'map', v: value };
}

function truthy(value: GoValue): boolean {
  switch (value.t) {
    case 'nil':
      return false;
    case 'bool':
      return value.v;
    case 'int':
    case 'float':
      return value.v !== 0;
    case 'string':
      return value.v !== '';
    case 'list':
      return value.v.length > 0;
    case 'map':
      return Object.keys(value.v).length > 0;
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|`[^`]*`|-?[0-9][0-9.eE+-]*|\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\||\$|\.)\s*/y;
  let index = 0;
  while (index < text.length) {
    re.lastIndex = index;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read '${text.slice(index)}'`);
    tokens.push(m[1]);
    index = re.lastIndex;
  }
  return tokens;
}

function parse(tokens: readonly string[]): Node {
  let i = 0;
  const term = (): Node => {
    const token = tokens[i++];
    if (token === undefined) throw new Error('unexpected end');
    if (token === '(') {
      const node = command(')');
      if (tokens[i++] !== ')') throw new Error("missing ')'");
      return node;
    }
    if (token === '|' || token === '$') throw new Error(`'${token}' is not supported`);
    if (token.startsWith('"')) return { type: 'literal', value: { t: 'string', v: JSON.parse(token) as string } };
    if (token.startsWith('`')) return { type: 'literal', value: { t: 'string', v: token.slice(1, -1) } };
    if (/^-?[0-9]/.test(token)) {
      const v = Number(token);
      if (Number.isNaN(v)) throw new Error(`bad number ${token}`);
      return { type: 'literal', value: { t: /[.eE]/.test(token) ? 'float' : 'int', v } };
    }
    if (token === '.') return { type: 'field', path: [] };
    if (token.startsWith('.')) return { type: 'field', path: token.slice(1).split('.') };
    if (token === 'true' || token === 'false') return { type: 'literal', value: { t: 'bool', v: token === 'true' } };
    if (token === 'nil') return { type: 'literal', value: NIL };
    return { type: 'call', fn: token, args: [] };
  };
  const command = (end: string | undefined): Node => {
    const first = term();
    const args: Node[] = [];
    while (i < tokens.length && tokens[i] !== end) args.push(term());
    if (first.type === 'call') return { type: 'call', fn: first.fn, args };
    if (args.length > 0) throw new Error('a value cannot take arguments');
    return first;
  };
  const node = command(undefined);
  if (i !== tokens.length) throw new Error(`unexpected '${tokens[i]}'`);
  return node;
}

function comparable(a: GoValue, b: GoValue, fn: string): void {
  const basic = (x: GoValue) => x.t === 'int' || x.t === 'float' || x.t === 'string' || x.t === 'bool';
  if (!basic(a) || !basic(b)) throw new Error(`${fn}: invalid type for comparison (${a.t}, ${b.t})`);
  if (a.t !== b.t) throw new Error(`${fn}: incompatible types for comparison (${a.t}, ${b.t})`);
}

function equal(a: GoValue, b: GoValue): boolean {
  comparable(a, b, 'eq');
  return 'v' in a && 'v' in b && a.v === b.v;
}

function evaluate(node: Node, root: Readonly<Record<string, Json>>): GoValue {
  if (node.type === 'literal') return node.value;
  if (node.type === 'field') {
    let current: GoValue = { t: 'map', v: root };
    for (const [k, segment] of node.path.entries()) {
      if (current.t === 'nil' && k > 0) throw new Error(`nil pointer evaluating .${node.path.slice(0, k).join('.')}.${segment}`);
      if (current.t !== 'map') throw new Error(`can't evaluate field ${segment} in type ${current.t}`);
      current = fromJson(current.v[segment]);
    }
    return current;
  }
  const args = node.args;
  const value = (n: Node) => evaluate(n, root);
  switch (node.fn) {
    case 'and': {
      if (args.length < 1) throw new Error('and needs arguments');
      let last: GoValue = NIL;
      for (const a of args) {
        last = value(a);
        if (!truthy(last)) return last;
      }
      return last;
    }
    case 'or': {
      if (args.length < 1) throw new Error('or needs arguments');
      let last: GoValue = NIL;
      for (const a of args) {
        last = value(a);
        if (truthy(last)) return last;
      }
      return last;
    }
    case 'not':
      if (args.length !== 1) throw new Error('not takes one argument');
      return { t: 'bool', v: !truthy(value(args[0])) };
    case 'eq': {
      if (args.length < 2) throw new Error('eq needs two arguments');
      const first = value(args[0]);
      return { t: 'bool', v: args.slice(1).some((a) => equal(first, value(a))) };
    }
    case 'ne':
      if (args.length !== 2) throw new Error('ne takes two arguments');
      return { t: 'bool', v: !equal(value(args[0]), value(args[1])) };
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      if (args.length !== 2) throw new Error(`${node.fn} takes two arguments`);
      const a = value(args[0]);
      const b = value(args[1]);
      comparable(a, b, node.fn);
      if (!('v' in a) || !('v' in b) || typeof a.v === 'boolean') throw new Error(`${node.fn}: invalid type for comparison`);
      const x = a.v as number | string;
      const y = b.v as number | string;
      return { t: 'bool', v: node.fn === 'lt' ? x < y : node.fn === 'le' ? x <= y : node.fn === 'gt' ? x > y : x >= y };
    }
    case 'empty':
      if (args.length !== 1) throw new Error('empty takes one argument');
      return { t: 'bool', v: !truthy(value(args[0])) };
    default:
      throw new Error(`function '${node.fn}' is not supported`);
  }
}

/**
 * Whether a patch with this `enabledIf` applies to a Cluster whose variables
 * have these values (absent variables are missing, as in Cluster API).
 */
export function evaluateEnabledIf(enabledIf: string | undefined, variables: Readonly<Record<string, Json>>): ConditionResult {
  if (enabledIf === undefined) return { ok: true, enabled: true };
  const m = /^\{\{-?\s*if\s+(.*?)\s*-?\}\}true\{\{-?\s*end\s*-?\}\}$/s.exec(enabledIf);
  if (!m) return { ok: false, error: `unsupported enabledIf form ${JSON.stringify(enabledIf)}` };
  try {
    return { ok: true, enabled: truthy(evaluate(parse(tokenize(m[1])), variables)) };
  } catch (e) {
    return { ok: false, error: `${JSON.stringify(enabledIf)}: ${(e as Error).message}` };
  }
}

/** Variable names an `enabledIf` reads (first segment of each field). */
export function conditionVariables(enabledIf: string | undefined): string[] {
  if (enabledIf === undefined) return [];
  return [...new Set([...enabledIf.matchAll(/(?<![A-Za-z0-9_)])\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];
}
