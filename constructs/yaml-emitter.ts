/**
 * The YAML writer behind every file the project emits (dumpYaml in
 * cluster-addon.ts). Its output is byte for byte that of
 *
 *   yaml.dump(value, { sortKeys: compareYamlKeys, lineWidth: -1, noRefs: true, quotingType: '"' })
 *
 * with js-yaml 4.3.2, which wrote every released bundle: a released file must
 * not change by a byte because its writer did. It is a port of the rules of
 * js-yaml's dumper (lib/dumper.js) and of the implicit types of its
 * DEFAULT_SCHEMA (lib/type/{null,bool,int,float,timestamp,merge}.js), cut
 * down to those options and to JSON-like values, so it skips the work
 * js-yaml does for every node to serve every option and type: the schema's
 * type detection, the style search over the implicit and explicit types,
 * and the character scan of a string it has seen before (rendered scalars
 * are cached). A document holding anything else (a Date, a Map, a class
 * instance, a function, …) is handed to js-yaml whole, so it is written,
 * or refused, exactly as before.
 *
 * js-yaml is Copyright (C) 2011-2015 by Vitaly Puzrin, under the MIT licence
 * (node_modules/js-yaml/LICENSE); the functions below keep the names of the
 * js-yaml functions they port. test/constructs/yaml-emitter.test.ts checks
 * the port against js-yaml itself.
 */
import yaml from 'js-yaml';

// Keys people look for first, in the order Cluster API's own examples use;
// every other key follows alphabetically, so the order is still total.
export const KEY_ORDER: readonly string[] = [
  'apiVersion', 'kind', 'metadata', 'name', 'namespace', 'labels', 'annotations', 'spec', 'class', 'ref', 'template', 'bootstrap',
  'infrastructure', 'controlPlane', 'workers', 'variables', 'required', 'schema', 'openAPIV3Schema', 'type',
  'description', 'default', 'example', 'enabledIf', 'definitions', 'selector', 'jsonPatches', 'op', 'path', 'value', 'valueFrom',
];
const KEY_RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function keyRank(key: string): number {
  return KEY_RANK.get(key) ?? KEY_ORDER.length;
}

/** compareYamlKeys for keys whose ranks are known. */
function compareRankedKeys(ra: number, a: string, rb: number, b: string): number {
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key order of every YAML file the project writes (and of anything shown as it is written). */
export function compareYamlKeys(a: string, b: string): number {
  return compareRankedKeys(keyRank(a), a, keyRank(b), b);
}

/** The options the emitter reproduces, and what a document it does not handle is written with. */
const DUMP_OPTIONS: yaml.DumpOptions = { sortKeys: compareYamlKeys, lineWidth: -1, noRefs: true, quotingType: '"' };

/** `value` as a YAML document: what js-yaml writes with DUMP_OPTIONS, byte for byte. */
export function emitYaml(value: unknown): string {
  return tryEmitYaml(value) ?? yaml.dump(value, DUMP_OPTIONS);
}

/**
 * `value` as a YAML document, or undefined when it holds a value the emitter
 * leaves to js-yaml (see `writeNode`): anything but plain objects, arrays,
 * strings, numbers, booleans, null and undefined.
 */
export function tryEmitYaml(value: unknown): string | undefined {
  const dump = writeNode(value, 0);
  if (dump === null) return undefined;
  // js-yaml writes nothing at all for a document that is undefined.
  return dump === undefined ? '' : `${dump}\n`;
}

/*
 * Nodes. js-yaml's writeNode for a block context (flowLevel -1), indent 2,
 * no references and no tags: a node is its text, undefined when it is
 * skipped (an undefined value), or null when it is not ours and the whole
 * document goes to js-yaml. Every node is written compact (its first entry
 * on the current line), as js-yaml writes the document and sequence items;
 * see writeBlockMapping for the values it writes otherwise.
 */
type Dump = string | undefined | null;

function writeNode(value: unknown, level: number): Dump {
  switch (typeof value) {
    case 'string':
      return valueScalar(value, level);
    case 'number':
      return numberScalar(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      // js-yaml goes by Object.prototype.toString and the schema's types, which a
      // Symbol.toStringTag, a Date, a typed array or a Boolean or Number object
      // change; a plain object or array is what it writes as a mapping or sequence.
      if (Symbol.toStringTag in value) return null;
      const proto: unknown = Object.getPrototypeOf(value);
      if (Array.isArray(value)) return proto === Array.prototype ? writeBlockSequence(value, level) : null;
      if (proto === Object.prototype || proto === null) return writeBlockMapping(value as Readonly<Record<string, unknown>>, level);
      return null;
    }
    default:
      // function, symbol, bigint: js-yaml refuses them, with its own message.
      return null;
  }
}

const lineBreaks: string[] = [];

/** generateNextLine: a line break and the indentation of `level`. */
function generateNextLine(level: number): string {
  return (lineBreaks[level] ??= `\n${' '.repeat(2 * level)}`);
}

const CHAR_LINE_FEED = 0x0a;

/** An empty array is a flow sequence `[]`; an item that is undefined is written as null. */
function writeBlockSequence(items: readonly unknown[], level: number): string | null {
  let result = '';
  for (let index = 0; index < items.length; index++) {
    let dump = writeNode(items[index], level + 1);
    if (dump === null) return null;
    // writeNode skips only undefined, which a sequence writes as null.
    if (dump === undefined) dump = 'null';
    if (result !== '') result += generateNextLine(level);
    // Compact, an item never starts with a line break, where js-yaml writes '-' alone.
    result += '- ';
    result += dump;
  }
  return result === '' ? '[]' : result;
}

/**
 * An object without keys, or whose values are all undefined, is a flow
 * mapping `{}`; a key whose text is longer than 1024 characters is written
 * as an explicit pair (`? key` then `: value`).
 */
function writeBlockMapping(record: Readonly<Record<string, unknown>>, level: number): string | null {
  const keys = Object.keys(record);
  // compareYamlKeys is a total order, so any sort of the keys by it is the
  // order js-yaml's Array.prototype.sort gives.
  if (keys.length > 1) sortYamlKeys(keys);
  let result = '';
  for (const key of keys) {
    const keyDump = keyScalar(key);
    const explicitPair = keyDump.length > 1024;
    const value = record[key];
    const dump = writeNode(value, level + 1);
    if (dump === null) return null;
    if (dump === undefined) continue;
    if (result !== '') result += generateNextLine(level);
    result += explicitPair ? `? ${keyDump}${generateNextLine(level)}` : keyDump;
    // js-yaml writes a collection value (other than an explicit pair's) not
    // compact, starting with a line break, and picks ':' over ': ' by the
    // text's first character. Reading that character makes V8 flatten the
    // nested text, at every level; which values start a block is known here.
    const opensBlock = !explicitPair && typeof value === 'object' && value !== null && dump !== '{}' && dump !== '[]';
    result += opensBlock ? `:${generateNextLine(level + 1)}` : ': ';
    result += dump;
  }
  return result === '' ? '{}' : result;
}

/**
 * Sorts keys in place by compareYamlKeys. Most objects have a handful of
 * keys: an insertion sort that looks each key's rank up once does not look
 * it up at every comparison.
 */
export function sortYamlKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 12) {
    keys.sort(compareYamlKeys);
    return;
  }
  const ranks: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const rank = keyRank(key);
    let j = i;
    for (; j > 0 && compareRankedKeys(ranks[j - 1], keys[j - 1], rank, key) > 0; j--) {
      ranks[j] = ranks[j - 1];
      keys[j] = keys[j - 1];
    }
    ranks[j] = rank;
    keys[j] = key;
  }
}

/* Numbers: the represent functions of lib/type/int.js (decimal) and lib/type/float.js (lowercase). */

const SCIENTIFIC_WITHOUT_DOT = /^[-+]?[0-9]+e/;

function numberScalar(n: number): string {
  const negativeZero = n === 0 && 1 / n === -Infinity;
  if (n % 1 === 0 && !negativeZero) return n.toString(10);
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  if (negativeZero) return '-0.0';
  const res = n.toString(10);
  // JavaScript writes 5e-324 where YAML wants a dot before the exponent.
  return SCIENTIFIC_WITHOUT_DOT.test(res) ? res.replace('e', '.e') : res;
}

/*
 * Scalar cache. The same strings come back in every document and bundle
 * (keys, kinds, names, versions, the file contents of kubeadm configs), and
 * deciding how to write one is a scan of every character plus the implicit
 * types' resolvers. A key's text and a single-line value's text do not depend
 * on the indentation; a block scalar's body does, so it is kept per
 * indentation. The cache counts the characters it holds and is emptied
 * whole when they pass CACHE_LIMIT, which bounds its memory.
 */
const CACHE_LIMIT = 1 << 23;
const keyScalars = new Map<string, string>();
/** Single-line values as written; for a block scalar, its header (starting with '|'). */
const valueScalars = new Map<string, string>();
/** Block scalars as written, by their indentation. */
const blockScalars = new Map<number, Map<string, string>>();
let cachedChars = 0;

/**
 * Makes room for an entry of `string` and its text, emptying the cache when
 * it would hold more than CACHE_LIMIT characters; false for an entry too
 * big to keep.
 */
function reserve(string: string, dump: string): boolean {
  const size = string.length + dump.length;
  if (size > CACHE_LIMIT / 8) return false;
  if (cachedChars + size > CACHE_LIMIT) {
    keyScalars.clear();
    valueScalars.clear();
    blockScalars.clear();
    cachedChars = 0;
  }
  cachedChars += size;
  return true;
}

function keyScalar(key: string): string {
  let dump = keyScalars.get(key);
  if (dump === undefined) {
    dump = writeScalar(key, true);
    if (reserve(key, dump)) keyScalars.set(key, dump);
  }
  return dump;
}

const CHAR_VERTICAL_LINE = 0x7c;

function valueScalar(string: string, level: number): string {
  let header = valueScalars.get(string);
  if (header === undefined) {
    header = writeScalar(string, false);
    if (reserve(string, header)) valueScalars.set(string, header);
  }
  // Only a block scalar's header starts with '|': a plain scalar may not.
  if (header.charCodeAt(0) !== CHAR_VERTICAL_LINE) return header;
  const indent = 2 * Math.max(1, level); // no 0-indent scalars
  let dump = blockScalars.get(indent)?.get(string);
  if (dump === undefined) {
    dump = header + dropEndingNewline(indentString(string, indent));
    if (reserve(string, dump)) {
      let blocks = blockScalars.get(indent);
      if (blocks === undefined) blockScalars.set(indent, (blocks = new Map()));
      blocks.set(string, dump);
    }
  }
  return dump;
}

/* Scalars: writeScalar and what it calls, for lineWidth -1, double quotes, compat mode, no forced quotes. */

const DEPRECATED_BOOLEANS_SYNTAX: ReadonlySet<string> = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF',
]);

const DEPRECATED_BASE60_SYNTAX = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;

/**
 * The text of a scalar, or for a block (literal) scalar only its header:
 * the caller indents the body. A key is never a block scalar.
 */
function writeScalar(string: string, iskey: boolean): string {
  if (string.length === 0) return '""';
  // YAML 1.1 readers take these for booleans and sexagesimal numbers (noCompatMode is off).
  if (DEPRECATED_BOOLEANS_SYNTAX.has(string) || DEPRECATED_BASE60_SYNTAX.test(string)) return `"${string}"`;
  switch (chooseScalarStyle(string, iskey)) {
    case STYLE_PLAIN:
      return string;
    case STYLE_DOUBLE:
      return `"${escapeString(string)}"`;
    default:
      return `|${blockHeader(string)}`;
  }
}

const STYLE_PLAIN = 1;
const STYLE_LITERAL = 3;
const STYLE_DOUBLE = 5;

/**
 * chooseScalarStyle with lineWidth -1 (nothing is folded, so no folded
 * style), double quotes, forceQuotes off and indent 2 (so a block scalar
 * never needs double quotes for its indentation indicator), in a block
 * context, as every scalar here is.
 *
 * js-yaml's isPlainSafe, for the characters it is asked about here (the
 * printable ones; any other gives double quotes first, and a line break a
 * block scalar), comes down to: no '#' after a space or at a line start, and
 * no space after ':'. The scan reads UTF-16 code units and combines a
 * surrogate pair only outside ASCII, where a lone surrogate, like every
 * other unprintable character, is not printable.
 */
function chooseScalarStyle(string: string, singleLineOnly: boolean): number {
  let plain = isPlainSafeFirst(codePointAt(string, 0)) && isPlainSafeLast(string.charCodeAt(string.length - 1));
  let hasLineBreak = false;
  let prev = -1; // js-yaml's null: no character
  for (let i = 0; i < string.length; i++) {
    let c = string.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      if ((c === CHAR_SHARP && prev <= CHAR_SPACE) || (c === CHAR_SPACE && prev === CHAR_COLON)) plain = false;
    } else if (c === CHAR_LINE_FEED && !singleLineOnly) {
      hasLineBreak = true;
    } else {
      c = codePointAt(string, i);
      if (!isPrintable(c)) return STYLE_DOUBLE;
      if (c >= 0x10000) i++;
    }
    prev = c;
  }
  if (hasLineBreak) return STYLE_LITERAL;
  // Strings interpretable as another type have to be quoted: 'true' is not true.
  return plain && !testAmbiguity(string) ? STYLE_PLAIN : STYLE_DOUBLE;
}

function codePointAt(string: string, pos: number): number {
  const first = string.charCodeAt(pos);
  if (first >= 0xd800 && first <= 0xdbff && pos + 1 < string.length) {
    const second = string.charCodeAt(pos + 1);
    if (second >= 0xdc00 && second <= 0xdfff) return (first - 0xd800) * 0x400 + second - 0xdc00 + 0x10000;
  }
  return first;
}

const CHAR_TAB = 0x09;
const CHAR_SPACE = 0x20;
const CHAR_DOUBLE_QUOTE = 0x22;
const CHAR_SHARP = 0x23;
const CHAR_COLON = 0x3a;
const CHAR_BACKSLASH = 0x5c;
const CHAR_BOM = 0xfeff;

function isWhitespace(c: number): boolean {
  return c === CHAR_SPACE || c === CHAR_TAB;
}

/** Printable without escaping: nb-char minus tab, #x85, #xA0, #x2028, #x2029 (and so no line break or BOM). */
function isPrintable(c: number): boolean {
  return (c >= 0x00020 && c <= 0x00007e) ||
    (c >= 0x000a1 && c <= 0x00d7ff && c !== 0x2028 && c !== 0x2029) ||
    (c >= 0x0e000 && c <= 0x00fffd && c !== CHAR_BOM) ||
    (c >= 0x10000 && c <= 0x10ffff);
}

/** The indicators a plain scalar may not start with: - ? : , [ ] { } # & * ! | = > ' " % @ ` */
const PLAIN_UNSAFE_FIRST: ReadonlySet<number> = new Set([...'-?:,[]{}#&*!|=>\'"%@`'].map((c) => c.charCodeAt(0)));

function isPlainSafeFirst(c: number): boolean {
  return isPrintable(c) && c !== CHAR_BOM && !isWhitespace(c) && !PLAIN_UNSAFE_FIRST.has(c);
}

function isPlainSafeLast(c: number): boolean {
  return !isWhitespace(c) && c !== CHAR_COLON;
}

/*
 * testAmbiguity: whether a plain scalar would be read back as another type
 * by an implicit type of the DEFAULT_SCHEMA. Each resolver needs a first
 * character from MAY_RESOLVE_FIRST (null: ~ n N; bool: t T f F; int, float,
 * timestamp: sign, digit, '.'; merge: '<'), so most strings are settled by
 * their first character.
 */
const MAY_RESOLVE_FIRST: ReadonlySet<number> = new Set([...'~nNtTfF-+.0123456789<'].map((c) => c.charCodeAt(0)));

function testAmbiguity(string: string): boolean {
  if (!MAY_RESOLVE_FIRST.has(string.charCodeAt(0))) return false;
  return resolveYamlNull(string) || resolveYamlBoolean(string) || resolveYamlInteger(string) || resolveYamlFloat(string) ||
    resolveYamlTimestamp(string) || string === '<<';
}

function resolveYamlNull(data: string): boolean {
  return data === '~' || data === 'null' || data === 'Null' || data === 'NULL';
}

function resolveYamlBoolean(data: string): boolean {
  return data === 'true' || data === 'True' || data === 'TRUE' || data === 'false' || data === 'False' || data === 'FALSE';
}

function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isOctCode(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function isDecCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function resolveYamlInteger(data: string): boolean {
  const max = data.length;
  let index = 0;
  let hasDigits = false;
  if (!max) return false;
  let ch = data[index];
  if (ch === '-' || ch === '+') ch = data[++index];
  if (ch === '0') {
    if (index + 1 === max) return true;
    ch = data[++index];
    const digits = ch === 'b' ? (c: number) => c === 0x30 || c === 0x31 : ch === 'x' ? isHexCode : ch === 'o' ? isOctCode : undefined;
    if (digits) {
      for (index++; index < max; index++) {
        if (!digits(data.charCodeAt(index))) return false;
        hasDigits = true;
      }
      return hasDigits && isFinite(parseYamlInteger(data));
    }
  }
  for (; index < max; index++) {
    if (!isDecCode(data.charCodeAt(index))) return false;
    hasDigits = true;
  }
  return hasDigits && isFinite(parseYamlInteger(data));
}

function parseYamlInteger(data: string): number {
  let value = data;
  let sign = 1;
  let ch = value[0];
  if (ch === '-' || ch === '+') {
    if (ch === '-') sign = -1;
    value = value.slice(1);
    ch = value[0];
  }
  if (value === '0') return 0;
  if (ch === '0') {
    if (value[1] === 'b') return sign * parseInt(value.slice(2), 2);
    if (value[1] === 'x') return sign * parseInt(value.slice(2), 16);
    if (value[1] === 'o') return sign * parseInt(value.slice(2), 8);
  }
  return sign * parseInt(value, 10);
}

const YAML_FLOAT_PATTERN = /^(?:[-+]?(?:[0-9]+)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const YAML_FLOAT_SPECIAL_PATTERN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function resolveYamlFloat(data: string): boolean {
  if (!YAML_FLOAT_PATTERN.test(data)) return false;
  return isFinite(parseFloat(data)) || YAML_FLOAT_SPECIAL_PATTERN.test(data);
}

const YAML_DATE_REGEXP = /^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$/;
const YAML_TIMESTAMP_REGEXP = /^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?$/;

function resolveYamlTimestamp(data: string): boolean {
  return YAML_DATE_REGEXP.test(data) || YAML_TIMESTAMP_REGEXP.test(data);
}

/* Double-quoted and block scalars. */

const ESCAPE_SEQUENCES: ReadonlyMap<number, string> = new Map([
  [0x00, '\\0'], [0x07, '\\a'], [0x08, '\\b'], [0x09, '\\t'], [0x0a, '\\n'], [0x0b, '\\v'], [0x0c, '\\f'], [0x0d, '\\r'],
  [0x1b, '\\e'], [0x22, '\\"'], [0x5c, '\\\\'], [0x85, '\\N'], [0xa0, '\\_'], [0x2028, '\\L'], [0x2029, '\\P'],
]);

function encodeHex(character: number): string {
  const hex = character.toString(16).toUpperCase();
  if (character <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (character <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** escapeString, copying the runs of characters that need no escape at once. */
function escapeString(string: string): string {
  let result = '';
  let start = 0;
  for (let i = 0; i < string.length; i++) {
    const unit = string.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== CHAR_DOUBLE_QUOTE && unit !== CHAR_BACKSLASH) continue;
    const char = codePointAt(string, i);
    const width = char >= 0x10000 ? 2 : 1;
    const escapeSeq = ESCAPE_SEQUENCES.get(char);
    if (escapeSeq !== undefined || !isPrintable(char)) {
      result += string.slice(start, i) + (escapeSeq ?? encodeHex(char));
      start = i + width;
    }
    i += width - 1;
  }
  return result + string.slice(start);
}

/** Indents every line; empty lines are not indented. */
function indentString(string: string, spaces: number): string {
  const ind = ' '.repeat(spaces);
  let position = 0;
  let result = '';
  while (position < string.length) {
    const next = string.indexOf('\n', position);
    const end = next === -1 ? string.length : next + 1;
    if (end - position > 1 || string.charCodeAt(position) !== CHAR_LINE_FEED) result += ind;
    result += string.slice(position, end);
    position = end;
  }
  return result;
}

/** The header after '|': the indentation indicator when the first line starts with a space, then the chomping indicator. */
function blockHeader(string: string): string {
  const indentIndicator = /^\n* /.test(string) ? '2' : '';
  // The string '\n' counts as a "trailing" empty line.
  const clip = string[string.length - 1] === '\n';
  const keep = clip && (string[string.length - 2] === '\n' || string === '\n');
  const chomp = keep ? '+' : clip ? '' : '-';
  return `${indentIndicator}${chomp}\n`;
}

/** The line break the document adds after the scalar replaces its last one. */
function dropEndingNewline(string: string): string {
  return string[string.length - 1] === '\n' ? string.slice(0, -1) : string;
}
