import { describe, expect, it } from 'vitest';
import { compareSemver } from '../../../lib/overlay/conformance.ts';
import { schemaWeakenings, valueViolations } from '../../../constructs/overlay/schema-strictness.ts';
import type { JSONSchemaProps } from '../../../constructs/variable-schema.ts';

const mtu: JSONSchemaProps = { type: 'integer', minimum: 68, maximum: 9000 };
const object: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string', enum: ['a', 'b'] }, size: { type: 'integer' } }, required: ['name'] };

describe('schemaWeakenings', () => {
  it('accepts tightening and documentation changes', () => {
    expect(schemaWeakenings(mtu, { type: 'integer', minimum: 1280, maximum: 1450, description: 'x', default: 1450 })).toEqual([]);
    expect(schemaWeakenings(object, { ...object, properties: { name: { type: 'string', enum: ['a'] }, size: { type: 'integer', maximum: 3 } }, required: ['name', 'size'] })).toEqual([]);
    expect(schemaWeakenings({ type: 'string' }, { type: 'string', pattern: '^[a-z]+$', maxLength: 8 })).toEqual([]);
  });

  it('names every loosened keyword by its path', () => {
    expect(schemaWeakenings(mtu, { type: 'integer', minimum: 0 })).toEqual(['.minimum: 0 is lower than the base\'s 68', '.maximum: removed (the base\'s is 9000)']);
    expect(schemaWeakenings(mtu, { type: 'number', minimum: 68, maximum: 9000 })).toEqual(['.type: "number" instead of "integer"']);
    expect(schemaWeakenings(object, { ...object, required: [] })).toEqual([".required: 'name' is no longer required"]);
    expect(schemaWeakenings(object, { ...object, properties: { ...object.properties, name: { type: 'string', enum: ['a', 'b', 'c'] } } })).toEqual(['.properties.name.enum: adds ["c"]']);
    expect(schemaWeakenings(object, { ...object, properties: { ...object.properties, extra: { type: 'string' } } })).toEqual(['.properties.extra: added; the base would prune it']);
    expect(schemaWeakenings({ type: 'string', pattern: '^a$' }, { type: 'string', pattern: '^.*$' })).toEqual(['.pattern: "^.*$" instead of "^a$"']);
    expect(schemaWeakenings({ type: 'array', items: { type: 'string', maxLength: 3 }, uniqueItems: true }, { type: 'array', items: { type: 'string' } })).toEqual([
      '.uniqueItems: no longer true',
      ".items.maxLength: removed (the base's is 3)",
    ]);
    expect(schemaWeakenings({ type: 'object' }, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toEqual(['.x-kubernetes-preserve-unknown-fields: true keeps fields the base prunes']);
  });

  it('reads a boolean additionalProperties as any value (true) or none (false)', () => {
    const map = (additionalProperties: JSONSchemaProps | boolean): JSONSchemaProps => ({ type: 'object', additionalProperties });
    expect(schemaWeakenings(map({ type: 'string' }), map(true))).toEqual(['.additionalProperties: accepts values the base does not']);
    expect(schemaWeakenings(map(false), map({ type: 'string' }))).toEqual(['.additionalProperties: accepts values the base does not']);
    expect(schemaWeakenings(map(true), map({ type: 'string' }))).toEqual([]);
    expect(schemaWeakenings(map({ type: 'string' }), map(false))).toEqual([]);
  });
});

describe('valueViolations', () => {
  it('checks the keywords an overlay can tighten, nested ones included', () => {
    expect(valueViolations(mtu, 1450)).toEqual([]);
    expect(valueViolations(mtu, 10)).toEqual(['.: 10 is below the minimum 68']);
    expect(valueViolations(object, { size: 1 })).toEqual([".: 'name' is required"]);
    expect(valueViolations(object, { name: 'c' })).toEqual(['.name: "c" is not one of ["a","b"]']);
    expect(valueViolations({ type: 'string', pattern: '^[a-z]+$' }, 'A')).toEqual(['.: "A" does not match "^[a-z]+$"']);
  });
});

describe('compareSemver', () => {
  it('orders by SemVer precedence', () => {
    expect(compareSemver('1.18.9', '1.18.10')).toBeLessThan(0);
    expect(compareSemver('v2.0.0', '1.99.99')).toBeGreaterThan(0);
    expect(compareSemver('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
    expect(compareSemver('1.0.0-rc.2', '1.0.0-rc.10')).toBeLessThan(0);
    expect(compareSemver('1.2.3', 'v1.2.3')).toBe(0);
    expect(() => compareSemver('latest', '1.0.0')).toThrow(/'latest' is not a SemVer version/);
  });
});
