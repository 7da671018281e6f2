import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../../lib/pipeline/crd-schema.ts';
import { pageFiles, type DocsSource } from '../../../lib/docs/generate.ts';
import { renderMarkdown } from '../../../lib/docs/markdown.ts';
import { code, text } from '../../../lib/docs/model.ts';
import { constraintsOf, typeName, variableRows } from '../../../lib/docs/variables.ts';
import { classVariables, shippedSources, tableAfter, withClusterClass, type ClassVariable } from './fixture.ts';

const sources: readonly DocsSource[] = shippedSources();

function markdownPage(source: DocsSource): string {
  const page = pageFiles([source]).find((f) => f.path.endsWith('.md'));
  if (!page) throw new Error(`${source.bundle.path}: no Markdown page`);
  return String(page.content);
}

/** Every row name the table must have, computed from the schemas here (not by lib/docs). */
function expectedNames(variables: readonly ClassVariable[]): string[] {
  const out: string[] = [];
  const visit = (path: string, schema: JSONSchemaProps) => {
    out.push(path);
    const object = schema.type === 'array' ? schema.items : schema;
    for (const [key, child] of Object.entries(object?.properties ?? {})) visit(`${schema.type === 'array' ? `${path}[]` : path}.${key}`, child);
  };
  for (const v of variables) visit(v.name, v.schema.openAPIV3Schema);
  return out;
}

const stripCode = (cell: string) => cell.replace(/^`+ ?| ?`+$/g, '');

describe('variables table', () => {
  for (const source of sources) {
    it(`${source.bundle.path}: lists every ClusterClass variable and every nested property, in order`, () => {
      const variables = classVariables(source.bundle);
      expect(variables.length).toBeGreaterThan(0);
      const rows = tableAfter(markdownPage(source), 'Variables');
      expect(rows.map((r) => stripCode(r[0]))).toEqual(expectedNames(variables));
      for (const r of rows) expect(r, `row ${r[0]} has 8 cells`).toHaveLength(8);
      // Top-level rows carry the ClusterClass's `required`.
      for (const v of variables) {
        const row = rows.find((r) => stripCode(r[0]) === v.name);
        expect(row?.[6]).toBe(v.required ? 'yes' : 'no');
      }
    });
  }

  it('shows a changed default (and no longer the old one)', () => {
    const docker = sources.find((s) => s.bundle.path === 'docker/scs/1-34');
    if (!docker) throw new Error('docker/scs/1-34 is not shipped');
    const before = tableAfter(markdownPage(docker), 'Variables').find((r) => r[0] === '`imageRepository`');
    expect(before?.[2]).toBe('`""`');

    const bundle = withClusterClass(docker.bundle, (docs) => {
      const cc = docs.find((d) => d.kind === 'ClusterClass') as { spec: { variables: ClassVariable[] } };
      const v = cc.spec.variables.find((x) => x.name === 'imageRepository');
      if (!v) throw new Error('docker/scs has no imageRepository');
      (v.schema.openAPIV3Schema as { default?: unknown }).default = 'registry.example.org/mirror';
    });
    const after = tableAfter(markdownPage({ ...docker, bundle }), 'Variables').find((r) => r[0] === '`imageRepository`');
    expect(after?.[2]).toBe('`"registry.example.org/mirror"`');
  });

  it('shows sub-rows with the object\'s `required`, and constraints of nested properties', () => {
    const rows = variableRows([{
      name: 'oidcConfig',
      required: true,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          required: ['clientID'],
          properties: {
            clientID: { type: 'string', description: 'client' },
            issuerURL: { type: 'string', pattern: '^https://', example: 'https://dex.example' },
          },
        },
      },
    }]);
    expect(rows.map((r) => [r.path, r.depth, r.type, r.required])).toEqual([
      ['oidcConfig', 0, 'object{clientID, issuerURL}', true],
      ['oidcConfig.clientID', 1, 'string', true],
      ['oidcConfig.issuerURL', 1, 'string', false],
    ]);
    expect(rows[2].constraints).toEqual(['pattern: ^https://']);
    expect(rows[2].example).toBe('https://dex.example');
  });
});

describe('typeName', () => {
  it('names scalars, arrays, objects, maps and int-or-string', () => {
    expect(typeName({ type: 'string' })).toBe('string');
    expect(typeName({ type: 'array', items: { type: 'string' } })).toBe('array of string');
    expect(typeName({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, sizeGiB: { type: 'integer' } } } })).toBe('array of object{name, sizeGiB}');
    expect(typeName({ type: 'object', properties: { name: { type: 'string' }, cloudName: { type: 'string' } } })).toBe('object{name, cloudName}');
    expect(typeName({ type: 'object', additionalProperties: { type: 'string' } })).toBe('map of string');
    expect(typeName({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toBe('object (any fields)');
    expect(typeName({ 'x-kubernetes-int-or-string': true })).toBe('int or string');
  });
});

describe('constraintsOf', () => {
  it('lists format, bounds, lengths and item constraints', () => {
    expect(constraintsOf({ type: 'integer', minimum: 64, maximum: 4194304 })).toEqual(['≥ 64', '≤ 4194304']);
    expect(constraintsOf({ type: 'integer', minimum: 0, exclusiveMinimum: true })).toEqual(['> 0']);
    expect(constraintsOf({ type: 'string', format: 'cidr', minLength: 1, maxLength: 63 })).toEqual(['format: cidr', 'min length 1', 'max length 63']);
    expect(constraintsOf({ type: 'array', items: { type: 'string', format: 'uuid4', enum: ['a'] }, maxItems: 3 })).toEqual(['max items 3', 'each item format: uuid4', 'each item one of "a"']);
  });
});

describe('Markdown escaping in table cells', () => {
  it('keeps descriptions with |, <name>, * and __ inside their cell and literal', () => {
    const md = renderMarkdown({
      title: 't',
      blocks: [
        { kind: 'heading', level: 2, content: [text('Variables')] },
        { kind: 'table', header: ['name', 'description'], rows: [{ cells: [[code('a|b')], [text('x | y, /dev/disk/by-id/*-<name>, __DEFAULT__')]] }] },
      ],
    });
    const rows = tableAfter(`\n${md}`, 'Variables');
    expect(rows).toEqual([['`a\\|b`', 'x \\| y, /dev/disk/by-id/\\*-\\<name\\>, \\_\\_DEFAULT\\_\\_']]);
  });
});
