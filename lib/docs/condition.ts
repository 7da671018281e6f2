import type { JSONSchemaProps } from '../crd-schema.ts';
import { code, joinInline, text, type Inline } from './model.ts';

/**
 * Reads the Go templates Cluster API evaluates (`enabledIf`,
 * `valueFrom.template`) back into something a person can read. Only the
 * subset that constructs/expression.ts writes is understood:
 * `{{ if <pipeline> }}true{{ end }}` with field references, string, number
 * and boolean literals, parentheses, and eq/ne/and/or/not. Anything else is
 * reported as not readable, and the page shows the template itself.
 */

type Node =
  | { readonly t: 'ref'; readonly path: string }
  | { readonly t: 'lit'; readonly value: string | number | boolean }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Node[] };

type Token =
  | { readonly t: '(' | ')' | '|' }
  | { readonly t: 'field'; readonly path: string }
  | { readonly t: 'string'; readonly value: string }
  | { readonly t: 'number'; readonly value: number }
  | { readonly t: 'ident'; readonly name: string };

class Unreadable extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) { i += space[0].length; continue; }
    const c = source[i];
    if (c === '(' || c === ')' || c === '|') { tokens.push({ t: c }); i++; continue; }
    const str = /^"(?:[^"\\]|\\.)*"/.exec(rest);
    if (str) { tokens.push({ t: 'string', value: JSON.parse(str[0]) as string }); i += str[0].length; continue; }
    const field = /^\$?\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(rest);
    if (field) { tokens.push({ t: 'field', path: field[1] }); i += field[0].length; continue; }
    const num = /^-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?/.exec(rest);
    if (num) { tokens.push({ t: 'number', value: Number(num[0]) }); i += num[0].length; continue; }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) { tokens.push({ t: 'ident', name: ident[0] }); i += ident[0].length; continue; }
    throw new Unreadable(`unexpected '${c}'`);
  }
  return tokens;
}

class Parser {
  private at = 0;
  public constructor(private readonly tokens: readonly Token[]) {}

  public parseAll(): Node {
    const node = this.pipeline();
    if (this.at !== this.tokens.length) throw new Unreadable('trailing tokens');
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private pipeline(): Node {
    let node = this.command();
    while (this.peek()?.t === '|') {
      this.at++;
      const next = this.command();
      // `x | f a` is `f a x`.
      if (next.t !== 'call') throw new Unreadable('pipe into a non-function');
      node = { t: 'call', fn: next.fn, args: [...next.args, node] };
    }
    return node;
  }

  private command(): Node {
    const first = this.peek();
    if (first?.t === 'ident' && !['true', 'false', 'nil'].includes(first.name)) {
      this.at++;
      const args: Node[] = [];
      while (this.peek() !== undefined && this.peek()?.t !== ')' && this.peek()?.t !== '|') args.push(this.operand());
      return { t: 'call', fn: first.name, args };
    }
    const node = this.operand();
    if (this.peek() !== undefined && this.peek()?.t !== ')' && this.peek()?.t !== '|') throw new Unreadable('operand followed by arguments');
    return node;
  }

  private operand(): Node {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new Unreadable('unexpected end');
    switch (token.t) {
      case 'field': return { t: 'ref', path: token.path };
      case 'string': return { t: 'lit', value: token.value };
      case 'number': return { t: 'lit', value: token.value };
      case 'ident':
        if (token.name === 'true' || token.name === 'false') return { t: 'lit', value: token.name === 'true' };
        throw new Unreadable(`function '${token.name}' as an argument`);
      case '(': {
        const inner = this.pipeline();
        if (this.tokens[this.at++]?.t !== ')') throw new Unreadable('missing )');
        return inner;
      }
      default:
        throw new Unreadable(`unexpected '${token.t}'`);
    }
  }
}

/** Looks up the schema of a variable path, for wording ("is true" for booleans, "is not empty" for strings). */
export type SchemaLookup = (path: string) => JSONSchemaProps | undefined;

const ENABLED_IF = /^\{\{\s*if\s+([\s\S]*?)\s*\}\}\s*true\s*\{\{\s*end\s*\}\}$/;

/** Whether `a` is a parent path of `b` (`oidcConfig` of `oidcConfig.clientID`). */
function isParent(a: Node, b: Node): boolean {
  return a.t === 'ref' && b.t === 'ref' && b.path.startsWith(`${a.path}.`);
}

/**
 * `and .a .a.b`, the guard chain isSet() writes so a field of an unset
 * object is never read, means "a.b is set"; the guards are an artefact of
 * Go templates, not part of the condition.
 */
function collapseGuards(node: Node): Node {
  if (node.t !== 'call') return node;
  const args = node.args.map(collapseGuards);
  if (node.fn === 'and' && args.length >= 2 && args.every((a, i) => i === args.length - 1 || isParent(a, args[i + 1]))) {
    return args[args.length - 1];
  }
  return { ...node, args };
}

function literalText(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

type Phrase = { readonly parts: Inline[]; readonly op?: 'and' | 'or' };

function truthiness(path: string, schema: JSONSchemaProps | undefined, negated: boolean): Inline[] {
  const type = schema?.type;
  const [yes, no] = type === 'boolean' ? ['is true', 'is false']
    : type === 'string' || type === 'array' ? ['is not empty', 'is empty']
      : type === 'integer' || type === 'number' ? ['is not 0', 'is 0']
        : ['is set', 'is not set'];
  return [code(path), text(` ${negated ? no : yes}`)];
}

function phrase(node: Node, lookup: SchemaLookup): Phrase {
  switch (node.t) {
    case 'ref':
      return { parts: truthiness(node.path, lookup(node.path), false) };
    case 'lit':
      return { parts: [text('always '), code(literalText(node.value))] };
    case 'call': {
      const { fn, args } = node;
      if ((fn === 'eq' || fn === 'ne') && args.length === 2) {
        const [a, b] = args;
        const subject = a.t === 'ref' ? [code(a.path)] : a.t === 'lit' ? [code(literalText(a.value))] : undefined;
        if (!subject) throw new Unreadable(`${fn} of a computed value`);
        if (b.t === 'lit') {
          if (b.value === '') return { parts: [...subject, text(fn === 'eq' ? ' is empty' : ' is not empty')] };
          return { parts: [...subject, text(fn === 'eq' ? ' is ' : ' is not '), code(literalText(b.value))] };
        }
        if (b.t === 'ref') return { parts: [...subject, text(fn === 'eq' ? ' equals ' : ' differs from '), code(b.path)] };
        throw new Unreadable(`${fn} with a computed value`);
      }
      if ((fn === 'and' || fn === 'or') && args.length >= 2) {
        const parts = args.map((a) => {
          const p = phrase(a, lookup);
          return p.op !== undefined && p.op !== fn ? [text('('), ...p.parts, text(')')] : p.parts;
        });
        return { parts: joinInline(parts, [text(` ${fn} `)]), op: fn };
      }
      if (fn === 'not' && args.length === 1) {
        const [a] = args;
        if (a.t === 'ref') return { parts: truthiness(a.path, lookup(a.path), true) };
        if (a.t === 'call' && (a.fn === 'eq' || a.fn === 'ne')) return phrase({ ...a, fn: a.fn === 'eq' ? 'ne' : 'eq' }, lookup);
        return { parts: [text('not ('), ...phrase(a, lookup).parts, text(')')] };
      }
      throw new Unreadable(`function '${fn}'`);
    }
  }
}

/**
 * The condition of an `enabledIf` in words, e.g. `apiServerLoadBalancer` is
 * `"octavia-amphora"`; undefined when the template is outside the subset
 * this reads (the caller then shows the template).
 */
export function readableCondition(enabledIf: string, lookup: SchemaLookup = () => undefined): Inline[] | undefined {
  const m = ENABLED_IF.exec(enabledIf.trim());
  if (!m) return undefined;
  try {
    return phrase(collapseGuards(new Parser(tokenize(m[1])).parseAll()), lookup).parts;
  } catch (e) {
    if (e instanceof Unreadable) return undefined;
    throw e;
  }
}

/**
 * The variable paths a Go template reads (`.nodeCIDR`, `$.imageName`,
 * `.builtin.controlPlane.version`), in order of first appearance. Fields of
 * range elements (`$e0.name`) and text inside string literals are not references.
 */
export function templateReferences(template: string): string[] {
  const actions = [...template.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)].map((m) => m[1].replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""'));
  const found: string[] = [];
  for (const action of actions) {
    for (const m of action.matchAll(/(?<![\w$)\].])\$?\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g)) {
      if (!found.includes(m[1])) found.push(m[1]);
    }
  }
  return found;
}
