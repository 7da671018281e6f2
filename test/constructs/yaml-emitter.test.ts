import yaml from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { dumpYaml } from '../../constructs/cluster-addon.ts';
import { compareYamlKeys, emitYaml, KEY_ORDER, tryEmitYaml } from '../../constructs/yaml-emitter.ts';
import { renderBundleFiles } from '../../lib/bytes/render.ts';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

/**
 * The emitter is checked against the writer it replaces: js-yaml with the
 * options dumpYaml used, byte for byte. While `oracle.jsYaml` is set, every
 * emitYaml call in the project (dumpYaml, so every file of a bundle, and the
 * YAML embedded in kubeadm files) goes to js-yaml instead, which gives the
 * bytes a synthesis wrote before the emitter.
 */
const oracle = vi.hoisted(() => ({ jsYaml: false }));
vi.mock('../../constructs/yaml-emitter.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../constructs/yaml-emitter.ts')>();
  const { default: jsYaml } = await import('js-yaml');
  const options = { sortKeys: actual.compareYamlKeys, lineWidth: -1, noRefs: true, quotingType: '"' } as const;
  return { ...actual, emitYaml: (value: unknown): string => (oracle.jsYaml ? jsYaml.dump(value, options) : actual.emitYaml(value)) };
});

function withJsYaml<T>(run: () => T): T {
  oracle.jsYaml = true;
  try {
    return run();
  } finally {
    oracle.jsYaml = false;
  }
}

/** What dumpYaml wrote before the emitter. */
const jsYamlDump = (value: unknown): string => yaml.dump(value, { sortKeys: compareYamlKeys, lineWidth: -1, noRefs: true, quotingType: '"' });

/** The outcome of writing `value`: its text, or the message it is refused with. */
function outcome(write: (value: unknown) => string, value: unknown): string {
  try {
    return write(value);
  } catch (e) {
    return `throws ${(e as Error).name}: ${(e as Error).message}`;
  }
}

interface Mismatch {
  readonly input: string;
  readonly jsYaml: string;
  readonly emitted: string;
}

/** The documents the emitter writes differently from js-yaml (the first few), shown with their input. */
function mismatches(documents: readonly unknown[]): Mismatch[] {
  const found: Mismatch[] = [];
  for (const document of documents) {
    const expected = outcome(jsYamlDump, document);
    const emitted = outcome(emitYaml, document);
    if (emitted !== expected) found.push({ input: show(document), jsYaml: expected, emitted });
    if (found.length === 5) break;
  }
  return found;
}

/** JSON with what JSON cannot say (undefined, non-finite numbers, -0) spelled out. */
function show(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (v === undefined) return '<undefined>';
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return `<${Object.is(v, -0) ? '-0' : String(v)}>`;
    return v;
  }) ?? '<undefined>';
}

/** `value` in every position a scalar or node can take: root, key, mapping value, sequence item, nested. */
function inEveryPosition(value: unknown): unknown[] {
  const docs: unknown[] = [value, { a: value }, { a: { b: value } }, [value], [[value]], { a: [value] }, [{ a: value }], { a: [{ b: [value] }] }];
  if (typeof value === 'string') docs.push({ [value]: value }, { a: { [value]: 1 } }, [{ [value]: [value] }]);
  return docs;
}

describe('emitYaml, against js-yaml on the shipped bundles', () => {
  const bundles = synthesize(STACKS);
  const before = withJsYaml(() => synthesize(STACKS));
  const parts = (bundle: Bundle): unknown[] => {
    const { model } = bundle;
    return [
      model.clusterClass.object,
      ...model.clusterClass.templates,
      model.metadata,
      ...model.nodeImages,
      ...(model.helmChartProxies ?? []),
      ...model.addons.map((a) => ({ [a.chart.name]: a.values })),
      { addonStages: model.addonStages },
    ];
  };

  it('synthesizes every shipped bundle', () => {
    expect(bundles.length).toBe(STACKS.reduce((n, d) => n + d.versions.length, 0));
  });

  it('writes every document of every bundle as js-yaml does, without handing any to js-yaml', () => {
    for (const bundle of bundles) {
      const documents = parts(bundle);
      expect(mismatches(documents), bundle.path).toEqual([]);
      expect(documents.filter((d) => tryEmitYaml(d) === undefined), bundle.path).toEqual([]);
    }
  });

  it('renders every bundle\'s files as they were rendered with js-yaml', () => {
    for (const bundle of bundles) {
      expect(withJsYaml(() => renderBundleFiles(bundle.model)), bundle.path).toEqual(bundle.files);
    }
  });

  it('synthesizes the bytes a synthesis with js-yaml gives, the YAML inside kubeadm files included', () => {
    expect(bundles.map((b) => [b.path, b.files])).toEqual(before.map((b) => [b.path, b.files]));
  });
});

const C0 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i));

/** Scalars that take each branch of chooseScalarStyle, testAmbiguity, escapeString and the block header. */
const TRICKY_STRINGS: readonly string[] = [
  '', ' ', '  ', '\t', ' a', 'a ', ' a ', 'a\t', '\ta', 'a b', 'plain', 'kebab-case', 'with/slash', 'a.b.c', 'https://example.com/x?y=1#z',
  ': ', 'a: b', 'a:b', 'a:', ':a', 'a :b', 'a:\tb', '::', 'key::value', ' #', 'a #b', 'a#b', '#', '#a', 'a#', 'a# b',
  '- ', '-', '-a', 'a-', '--', '---', '...', '? ', '?', '?a', '!', '!a', 'a!', '&', '&a', '*', '*a', '|', '|a', 'a|', '>', '>a', '%', '%a', '@', '@a', '`', '`a',
  '{', '}', '{a}', '[', ']', '[a]', ',', ',a', 'a,b', 'a, b', '{{ .Cluster.metadata.name }}', '${VAR}', '=', '<<', '<', '<a', 'a=b',
  '"', '\'', '"a"', '\'a\'', 'it\'s', 'say "hi"', '\\', 'a\\b', '\\n', 'C:\\path',
  ...C0, ...C0.map((c) => `a${c}b`), '\x7f', 'a\x7fb', '\x80', '\x85', 'a\x85b', '\xa0', 'a\xa0b', '\xa1', '\u00e9t\u00e9', '\u2028', 'a\u2029b', '\ufeff', 'a\ufeffb', '\ufeffa',
  '\ud7ff', '\ue000', '\ufffd', '\ufffe', '\uffff', '\ud800', 'a\ud800', '\ud800a', '\udc00', 'a\udc00b', '\udc00\ud800', '\ud83d\ude00', 'a\ud83d\ude00', '\ud83d\ude00 ', '\u{10ffff}', '\u{1f600}:', '\u{1f600}#',
  '1', '-1', '+1', '1.0', '.5', '-.5', '+.5', '1.', '0x1F', '0X1F', '0x', '0xG', '0o7', '0o8', '0b1', '0b2', '0b', '1e3', '1E3', '1e+3', '1.5e-3', '.5e3', '1_000', '1,000',
  '.inf', '-.Inf', '+.INF', '.NaN', '.nan', '-.nan', 'inf', 'NaN', 'Infinity', '012', '08', '0', '-0', '+0', '00', '1:20', '-1:20:30.5', '190:20:30', '1__2:3', '9'.repeat(400), '1'.repeat(309), '0x' + 'F'.repeat(300),
  'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N',
  'null', 'Null', 'NULL', 'nULL', '~', '~a',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-14T21:59:43Z', '2001-1-1 1:00:00', '2001-12-14 21:59', '20011214', 'v1.34.7', '1.34', '1.34.7', '1.34.7-rc.1',
  'a\n', 'a\n\n', 'a\n\n\n', 'a\nb', 'a\nb\n', '\na', '\n\na', ' a\nb', '\n a', '  indented\nline', 'a \nb ', 'a\n\nb', 'a\n \nb', '\n', '\n\n', ' \n', '\t\n', 'a\r\nb\r\n', 'a\rb',
  'line: one\n# two\n- three\n', '#!/bin/sh\nset -eu\n', 'yes\n', 'a\n\ud800', '{{ x }}\n  y\n', 'x'.repeat(5000), `${'word '.repeat(400)}\n${'y'.repeat(300)}\n`,
  ...KEY_ORDER,
];

const NUMBERS: readonly number[] = [0, -0, 1, -1, 1.5, -1.5, 0.1, 1e-7, -1e-7, 1e20, 1e21, -1e21, 1.5e300, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 123456789.125];

describe('emitYaml, against js-yaml on a corpus of tricky values', () => {
  it('writes every tricky string as a root, key, value and item, at every depth, as js-yaml does', () => {
    const documents = TRICKY_STRINGS.flatMap(inEveryPosition);
    expect(mismatches(documents)).toEqual([]);
    // Again: now every string's text comes from the emitter's cache.
    expect(mismatches(documents)).toEqual([]);
  });

  it('writes numbers, booleans and null as js-yaml does', () => {
    expect(mismatches([...NUMBERS, true, false, null].flatMap(inEveryPosition))).toEqual([]);
  });

  it('writes empty and nested collections as js-yaml does', () => {
    const documents: unknown[] = [
      {}, [], [[]], [{}], { a: {} }, { a: [] }, [[], {}], [[[]]], [[1, 2], [3, [4, 5]]], [{ a: [{ b: [] }, { c: {} }] }],
      { a: [{ b: 1, c: [1, 2] }, { d: { e: [] } }] }, [{ a: 1, b: 2 }, { c: { d: 1 } }], { a: [[1], [2, [3]]] },
      { list: ['a\nb', 'c'], block: { text: 'x\ny\n' } }, [['multi\nline', ' lead\nx']], Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])),
    ];
    expect(mismatches(documents)).toEqual([]);
  });

  it('skips undefined values in mappings and writes undefined items as null, as js-yaml does', () => {
    const documents: unknown[] = [
      undefined, { a: undefined }, { a: undefined, b: 1 }, { a: 1, b: undefined }, { a: undefined, b: { c: undefined } }, { a: { b: undefined } },
      [undefined], [undefined, 1], [1, , 3], new Array(2), [{ a: undefined }], [{ a: undefined, b: 1 }], { a: [undefined, { b: undefined }] },
      { a: undefined, b: undefined, c: [1] },
    ];
    expect(mismatches(documents)).toEqual([]);
    expect(emitYaml(undefined)).toBe('');
  });

  it('orders keys by compareYamlKeys, the keys of KEY_ORDER first, as js-yaml does', () => {
    const keys = [...KEY_ORDER].reverse().concat(['zeta', 'Alpha', 'alpha', '10', '9', '', ' ', '_', 'apiversion', 'a\nb', '__proto__']);
    const mixed = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, i])))) as unknown;
    const documents: unknown[] = [mixed, { spec: mixed, metadata: { name: 'n' }, kind: 'K', apiVersion: 'v1' }, [mixed]];
    expect(mismatches(documents)).toEqual([]);
    expect(emitYaml({ value: 1, kind: 'K', zeta: 2, apiVersion: 'v1', alpha: 3 })).toBe('apiVersion: v1\nkind: K\nvalue: 1\nalpha: 3\nzeta: 2\n');
  });

  it('writes keys that need quotes, and keys longer than 1024 characters as explicit pairs, as js-yaml does', () => {
    const long = ['k'.repeat(1024), 'k'.repeat(1025), `#${'k'.repeat(1023)}`, `${'k'.repeat(600)}\n${'k'.repeat(600)}`];
    const documents = long.flatMap((key) => [{ [key]: 1 }, { [key]: { a: 1, b: [1] } }, { [key]: [1, { c: 2 }] }, { [key]: {} }, { [key]: 'x\ny' }, [{ [key]: { a: 1 } }], { a: { [key]: [1] } }]);
    expect(mismatches(documents)).toEqual([]);
  });

  it('writes as js-yaml does while its scalar cache fills, is emptied, and meets strings too big to keep', () => {
    // Some 8 million characters is the cache's bound: these documents pass it twice over.
    const big = Array.from({ length: 12 }, (_, i) => `${i % 2 ? ' ' : ''}${String(i)}${'x'.repeat(400_000)}${i % 3 ? '\n' : ''}y: #${'\n'.repeat(i % 3)}`);
    big.push('z'.repeat(1_100_000), `${'z'.repeat(1_100_000)}\n`);
    const documents = big.map((s, i) => ({ [String(i)]: s, list: [s], nested: { deeper: s } }));
    const expected = documents.map(jsYamlDump);
    for (let pass = 0; pass < 2; pass++) {
      const wrong = documents.flatMap((d, i) => (emitYaml(d) === expected[i] ? [] : [i]));
      expect(wrong, `pass ${pass}: documents written differently`).toEqual([]);
    }
    expect(mismatches(TRICKY_STRINGS.flatMap(inEveryPosition))).toEqual([]);
  });

  it('writes an object without prototype as a mapping, as js-yaml does', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [2] });
    expect(tryEmitYaml(bare)).toBe(jsYamlDump(bare));
  });
});

/** A seeded xorshift32: the same documents on every run. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

const FRAGMENTS: readonly string[] = [
  'a', 'b', 'Z', '0', '1', '9', ' ', '  ', '\t', '\n', '\n\n', '\r', ':', ': ', '#', ' #', '-', '- ', '?', '!', '&', '*', '|', '>', '%', '@', '`', '{', '}', '[', ']', ',',
  '"', '\'', '\\', '.', '_', '=', '<<', '~', 'yes', 'no', 'on', 'true', 'null', 'NaN', '.inf', '0x1F', '0o7', '1e3', '012', '1:30', '2001-12-14', 'T10:00:00Z',
  '\x00', '\x07', '\x1b', '\x7f', '\x85', '\xa0', '\u2028', '\ufeff', '\ud800', '\udc00', '\ud83d\ude00', 'é', '{{', '}}', 'apiVersion', 'kind', 'value',
];

describe('emitYaml, against js-yaml on seeded random documents', () => {
  it('writes 3000 random documents as js-yaml does', () => {
    const random = xorshift(0x5eed1234);
    const int = (n: number): number => Math.floor(random() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
    const string = (): string => Array.from({ length: int(6) }, () => pick(FRAGMENTS)).join('');
    const scalar = (): unknown => {
      switch (int(8)) {
        case 0: return pick(NUMBERS);
        case 1: return (random() - 0.5) * 10 ** int(25);
        case 2: return random() < 0.5;
        case 3: return random() < 0.5 ? null : undefined;
        case 4: return pick(TRICKY_STRINGS);
        default: return string();
      }
    };
    const node = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : int(4);
      if (kind === 1) return Array.from({ length: int(4) }, () => node(depth + 1));
      if (kind === 2) return Object.fromEntries(Array.from({ length: int(5) }, () => [random() < 0.3 ? pick(KEY_ORDER) : string(), node(depth + 1)]));
      return scalar();
    };
    const documents = Array.from({ length: 3000 }, () => node(0));
    expect(mismatches(documents)).toEqual([]);
  });
});

class Version {
  public constructor(public readonly major: number) {}
}

describe('emitYaml hands what it does not write itself to js-yaml', () => {
  const foreign: readonly unknown[] = [
    new Date(Date.UTC(2001, 11, 14, 21, 59, 43)), new Version(1), new Map([['a', 1]]), new Set([1]), new Uint8Array([1, 2, 3]), new String('yes'), new Number(1.5), new Boolean(false),
    /re/, () => 1, Symbol('s'), 1n, Object.create(Array.prototype) as unknown, Object.assign([1, 2], { [Symbol.toStringTag]: 'Tagged' }), { [Symbol.toStringTag]: 'Tagged', a: 1 },
  ];

  it('writes a document holding a Date, a class instance, a Map, … as js-yaml does, or refuses it with js-yaml\'s message', () => {
    expect(mismatches(foreign.flatMap((v) => [v, { a: { b: v } }, [1, v], { a: [v], b: 'x' }]))).toEqual([]);
  });

  it('leaves those documents to js-yaml whole', () => {
    expect(foreign.filter((v) => tryEmitYaml({ a: [v] }) !== undefined)).toEqual([]);
    expect(emitYaml({ at: new Date(Date.UTC(2001, 11, 14)), name: 'yes' })).toBe('name: "yes"\nat: 2001-12-14T00:00:00.000Z\n');
    expect(emitYaml({ version: new Version(1) })).toBe('version:\n  major: 1\n');
  });

  it('is what dumpYaml writes', () => {
    const document = { kind: 'K', spec: { on: 'on', list: ['a\nb\n', 1.5] } };
    expect(dumpYaml(document)).toBe(emitYaml(document));
    expect(dumpYaml(document)).toBe(jsYamlDump(document));
  });
});
