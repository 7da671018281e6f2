import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtin } from '../../constructs/builtin.ts';
import { concat, eq, isSet, not } from '../../constructs/expression.ts';
import { each, renderValueTemplate, templateDependencies, when, type TemplateValue } from '../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../constructs/variable.ts';
import { VariableSchema } from '../../constructs/variable-schema.ts';

const nodeCIDR = new ClusterClassVariable('nodeCIDR', { schema: VariableSchema.string() });
const dnsNameservers = new ClusterClassVariable('dnsNameservers', { schema: VariableSchema.array(VariableSchema.string()) });
const imageIsOrc = new ClusterClassVariable('imageIsOrc', { schema: VariableSchema.boolean() });
const rootDisk = new ClusterClassVariable('rootDisk', { schema: VariableSchema.integer() });
const matrix = new ClusterClassVariable('matrix', { schema: VariableSchema.array(VariableSchema.array(VariableSchema.string())) });
const devices = new ClusterClassVariable('devices', {
  schema: VariableSchema.array(VariableSchema.object({ name: VariableSchema.string(), sizeGiB: VariableSchema.integer() })),
});

/** The escape action of go-template.ts; Go renders it as `{{`. */
const ESCAPED_OPEN = '{{"{{"}}';

function unescapeBraces(template: string): string {
  return template.split(ESCAPED_OPEN).join('{{');
}

describe('literal values', () => {
  it('renders scalars as JSON', () => {
    expect(renderValueTemplate(null)).toBe('null');
    expect(renderValueTemplate(true)).toBe('true');
    expect(renderValueTemplate(-12.5)).toBe('-12.5');
    expect(renderValueTemplate('a "quoted" \\ string')).toBe('"a \\"quoted\\" \\\\ string"');
  });

  it('renders objects and arrays as compact JSON in insertion order', () => {
    expect(renderValueTemplate({ b: 1, a: [true, null, 'x', { c: {} }], e: [] })).toBe('{"b":1,"a":[true,null,"x",{"c":{}}],"e":[]}');
  });

  it('escapes {{ in literal strings and keys so Go prints it verbatim', () => {
    expect(renderValueTemplate('a {{ .b }} c')).toBe(`"a ${ESCAPED_OPEN} .b }} c"`);
    expect(renderValueTemplate({ '{{key}}': '}}' })).toBe(`{"${ESCAPED_OPEN}key}}":"}}"}`);
    expect(renderValueTemplate('{{{')).toBe(`"${ESCAPED_OPEN}{"`);
  });

  it('leaves single braces of JSON structure alone', () => {
    expect(renderValueTemplate({ a: { b: {} } })).toBe('{"a":{"b":{}}}');
  });
});

describe('expressions', () => {
  it('renders an expression leaf through toJson', () => {
    expect(renderValueTemplate({ id: nodeCIDR.ref })).toBe('{"id":{{ .nodeCIDR | toJson }}}');
    expect(renderValueTemplate(rootDisk.ref)).toBe('{{ .rootDisk | toJson }}');
  });

  it('renders the openstack subnet template: literal keys and expression values', () => {
    const template = renderValueTemplate([{ cidr: nodeCIDR.ref, dnsNameservers: dnsNameservers.ref }]);
    expect(template).toBe('[{"cidr":{{ .nodeCIDR | toJson }},"dnsNameservers":{{ .dnsNameservers | toJson }}}]');
  });

  it('renders compound expressions as one pipeline', () => {
    expect(renderValueTemplate({ name: concat(nodeCIDR.ref, '-', builtin.controlPlane.version) })).toBe(
      '{"name":{{ printf "%v%v%v" .nodeCIDR "-" .builtin.controlPlane.version | toJson }}}',
    );
  });
});

describe('when', () => {
  it('renders an if without else', () => {
    expect(renderValueTemplate({ a: when(imageIsOrc.ref, { imageRef: 1 }) })).toBe('{"a":{{ if .imageIsOrc }}{"imageRef":1}{{ end }}}');
  });

  it('renders an if with else and compound conditions', () => {
    const value = when(eq(nodeCIDR.ref, '10.0.0.0/8'), { filter: { name: nodeCIDR.ref } }, null);
    expect(renderValueTemplate(value)).toBe('{{ if eq .nodeCIDR "10.0.0.0/8" }}{"filter":{"name":{{ .nodeCIDR | toJson }}}}{{ else }}null{{ end }}');
  });

  it('renders nested conditions', () => {
    const value = when(imageIsOrc.ref, when(not(isSet(rootDisk.ref)), 'a', 'b'), 'c');
    expect(renderValueTemplate(value)).toBe('{{ if .imageIsOrc }}{{ if not .rootDisk }}"a"{{ else }}"b"{{ end }}{{ else }}"c"{{ end }}');
  });

  it('escapes literal text inside branches', () => {
    expect(renderValueTemplate(when(imageIsOrc.ref, '{{x}}'))).toBe(`{{ if .imageIsOrc }}"${ESCAPED_OPEN}x}}"{{ end }}`);
  });
});

describe('each', () => {
  it('renders a range that writes commas between elements', () => {
    const value = each(dnsNameservers.ref, (server) => ({ filter: { name: server } }));
    expect(renderValueTemplate(value)).toBe(
      '[{{ range $i0, $e0 := .dnsNameservers }}{{ if $i0 }},{{ end }}{"filter":{"name":{{ $e0 | toJson }}}}{{ end }}]',
    );
  });

  it('reads fields of object elements', () => {
    const value = each(devices.ref, (d) => ({ name: d.field('name'), storage: { volume: { size: d.field('sizeGiB') } } }));
    expect(renderValueTemplate(value)).toBe(
      '[{{ range $i0, $e0 := .devices }}{{ if $i0 }},{{ end }}{"name":{{ $e0.name | toJson }},"storage":{"volume":{"size":{{ $e0.sizeGiB | toJson }}}}}{{ end }}]',
    );
  });

  it('gives a nested each distinct $i1/$e1 names and keeps $. for variables', () => {
    const value = each(matrix.ref, (row) => each(row, (cell) => ({ cell, cidr: nodeCIDR.ref, outer: row })));
    expect(renderValueTemplate(value)).toBe(
      '[{{ range $i0, $e0 := .matrix }}{{ if $i0 }},{{ end }}' +
        '[{{ range $i1, $e1 := $e0 }}{{ if $i1 }},{{ end }}{"cell":{{ $e1 | toJson }},"cidr":{{ $.nodeCIDR | toJson }},"outer":{{ $e0 | toJson }}}{{ end }}]' +
        '{{ end }}]',
    );
  });

  it('uses the same depth names in sibling ranges', () => {
    const value = { a: each(dnsNameservers.ref, (s) => s), b: each(matrix.ref, (r) => r) };
    expect(renderValueTemplate(value)).toBe(
      '{"a":[{{ range $i0, $e0 := .dnsNameservers }}{{ if $i0 }},{{ end }}{{ $e0 | toJson }}{{ end }}],' +
        '"b":[{{ range $i0, $e0 := .matrix }}{{ if $i0 }},{{ end }}{{ $e0 | toJson }}{{ end }}]}',
    );
  });

  it('renders conditions inside a range body relative to $', () => {
    const value = each(dnsNameservers.ref, (s) => when(imageIsOrc.ref, s, builtin.cluster.name));
    expect(renderValueTemplate(value)).toBe(
      '[{{ range $i0, $e0 := .dnsNameservers }}{{ if $i0 }},{{ end }}{{ if $.imageIsOrc }}{{ $e0 | toJson }}{{ else }}{{ $.builtin.cluster.name | toJson }}{{ end }}{{ end }}]',
    );
  });
});

describe('templateDependencies', () => {
  it('collects variables and builtins from leaves, conditions and range bodies', () => {
    // GIVEN a template reading variables in every position
    const value: TemplateValue = {
      cidr: nodeCIDR.ref,
      image: when(isSet(imageIsOrc.ref), builtin.machineDeployment.version),
      disks: each(devices.ref, (d) => ({ name: d.field('name'), size: rootDisk.ref, cluster: builtin.cluster.name })),
      fixed: ['literal', 1, null],
    };
    // WHEN its dependencies are collected
    const deps = templateDependencies(value);
    // THEN every variable and builtin scope is there, and nothing else
    expect([...deps.variables].sort()).toEqual(['devices', 'imageIsOrc', 'nodeCIDR', 'rootDisk']);
    expect([...deps.builtins].sort()).toEqual(['cluster', 'machineDeployment']);
  });

  it('collects the list of a nested each and variables of its body', () => {
    const deps = templateDependencies(each(matrix.ref, (row) => each(row, () => dnsNameservers.ref)));
    expect([...deps.variables].sort()).toEqual(['dnsNameservers', 'matrix']);
    expect([...deps.builtins]).toEqual([]);
  });

  it('is empty for literal values', () => {
    const deps = templateDependencies({ a: ['b', { c: 1 }] });
    expect(deps.variables.size).toBe(0);
    expect(deps.builtins.size).toBe(0);
  });

  it('collects the else branch', () => {
    const deps = templateDependencies(when(imageIsOrc.ref, 1, concat('x', builtin.controlPlane.name)));
    expect([...deps.variables]).toEqual(['imageIsOrc']);
    expect([...deps.builtins]).toEqual(['controlPlane']);
  });
});

describe('literal JSON round trip (property)', () => {
  // Strings built from the characters that matter to Go templates and JSON.
  const trickyString = fc.string({ unit: fc.constantFrom('{', '}', '"', '\\', '$', '.', '-', ' ', 'a', '\n', '|') });

  it('renders any JSON value to a template that, unescaped, parses back to the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const rendered = renderValueTemplate(value as TemplateValue);
        expect(JSON.parse(unescapeBraces(rendered))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips JSON values whose strings are full of braces and quotes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: fc.constantFrom('{', '}', '"', '\\', '$', 'a', ' ') }), (value) => {
        const rendered = renderValueTemplate(value as TemplateValue);
        expect(JSON.parse(unescapeBraces(rendered))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves no {{ outside the escape action in literal values', () => {
    fc.assert(
      fc.property(fc.dictionary(trickyString, fc.oneof(trickyString, fc.array(trickyString))), (value) => {
        const rendered = renderValueTemplate(value);
        expect(rendered.split(ESCAPED_OPEN).join('')).not.toContain('{{');
      }),
      { numRuns: 300 },
    );
  });
});
