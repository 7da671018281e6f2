/**
 * scripts/binding-undefined-filter.mjs rewrites, in the bundle only, the
 * filter the generated bindings in imports/ use to drop undefined values.
 * The rewritten filter must give the same object (the same keys, in the same
 * order, undefined values left out), and every binding must still spell the
 * filter the way the plugin looks for, or the rewrite would silently stop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, plain JavaScript without types
import { GENERATED_FILTER, withLoopFilter } from '../../scripts/binding-undefined-filter.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const rewrite = withLoopFilter as (source: string) => string | undefined;

/** A module holding one converter the way the bindings write it, compiled and loaded. */
function converter(source: string): (o: Record<string, unknown>) => Record<string, unknown> {
  const js = transformSync(`${source}\nmodule.exports = convert;`, { loader: 'ts', format: 'cjs' }).code;
  const module = { exports: {} as (o: Record<string, unknown>) => Record<string, unknown> };
  new Function('module', js)(module);
  return module.exports;
}

const GENERATED = `function convert(obj: Record<string, unknown>): Record<string, unknown> {
  const result = { 'zeta': obj.zeta, '10': obj.ten, 'alpha': obj.alpha, 'x-kubernetes-int': obj.int, 'nothing': obj.nothing, 'nil': obj.nil, 'zero': obj.zero, 'no': obj.no };
  return ${GENERATED_FILTER as string};
}`;

describe('the bundle\'s filter of undefined values in the generated bindings', () => {
  it('gives the object the generated filter gives, key order included', () => {
    const rewritten = rewrite(GENERATED);
    expect(rewritten).toBeDefined();
    expect(rewritten).not.toContain(GENERATED_FILTER);
    for (const input of [
      { zeta: 'z', ten: 10, alpha: { a: 1 }, int: 3, nothing: undefined, nil: null, zero: 0, no: false },
      { zeta: undefined, ten: undefined, alpha: undefined },
      {},
    ]) {
      const want = converter(GENERATED)(input);
      const got = converter(rewritten as string)(input);
      expect(Object.entries(got)).toEqual(Object.entries(want));
      expect(Object.keys(got)).not.toContain('nothing');
    }
  });

  it('leaves a source without the generated filter alone', () => {
    expect(rewrite('export const x = Object.entries(result).reduce((r, i) => r, {});')).toBeUndefined();
  });

  it('finds the generated filter in every binding in imports/', () => {
    const bindings = readdirSync(join(ROOT, 'imports')).filter((f) => f.endsWith('.ts'));
    expect(bindings.length).toBeGreaterThan(0);
    for (const file of bindings) expect(readFileSync(join(ROOT, 'imports', file), 'utf8'), file).toContain(GENERATED_FILTER);
  });
});
