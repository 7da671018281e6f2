import { describe, expect, it } from 'vitest';
import { builtin } from '../../constructs/builtin.ts';
import {
  and,
  concat,
  eq,
  ifElse,
  isSet,
  literal,
  ne,
  not,
  or,
  renderEnabledIf,
  ROOT_CONTEXT,
  variableReference,
} from '../../constructs/expression.ts';
import { each, renderValueTemplate, when } from '../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../constructs/variable.ts';
import { VariableSchema } from '../../constructs/variable-schema.ts';

// Variables of every shape the expression helpers distinguish: an enum
// string, a free string, an integer, a boolean, a list and a nested object.
const loadBalancer = new ClusterClassVariable('apiServerLoadBalancer', {
  schema: VariableSchema.string({ enum: ['none', 'octavia-amphora', 'octavia-ovn'] }),
});
const flavor = new ClusterClassVariable('controlPlaneFlavor', { schema: VariableSchema.string() });
const mtu = new ClusterClassVariable('networkMTU', { schema: VariableSchema.integer() });
const orc = new ClusterClassVariable('imageIsOrc', { schema: VariableSchema.boolean() });
const names = new ClusterClassVariable('securityGroups', { schema: VariableSchema.array(VariableSchema.string()) });
const oidc = new ClusterClassVariable('oidcConfig', {
  schema: VariableSchema.object({
    clientID: VariableSchema.string(),
    claims: VariableSchema.object({ groups: VariableSchema.string() }),
    'client-secret': VariableSchema.string(),
  }),
});

const IN_RANGE = { inRange: true } as const;

describe('variable references', () => {
  it('renders a top-level variable as a dot reference with its path and dependency', () => {
    // GIVEN a declared variable
    // WHEN its reference is rendered
    const ref = flavor.ref;
    // THEN
    expect(ref.render()).toBe('.controlPlaneFlavor');
    expect(ref.render(ROOT_CONTEXT)).toBe('.controlPlaneFlavor');
    expect(ref.variablePath).toBe('controlPlaneFlavor');
    expect([...ref.dependencies.variables]).toEqual(['controlPlaneFlavor']);
    expect([...ref.dependencies.builtins]).toEqual([]);
    expect(ref.guards).toEqual([]);
  });

  it('renders a reference through $ inside a range body', () => {
    expect(flavor.ref.render(IN_RANGE)).toBe('$.controlPlaneFlavor');
    expect(variableReference<string>('sshKeyName').render(IN_RANGE)).toBe('$.sshKeyName');
  });

  it('renders nested field() references with dotted paths and the top-level variable as dependency', () => {
    const clientID = oidc.ref.field('clientID');
    const groups = oidc.ref.field('claims').field('groups');
    expect(clientID.render()).toBe('.oidcConfig.clientID');
    expect(clientID.variablePath).toBe('oidcConfig.clientID');
    expect(groups.render()).toBe('.oidcConfig.claims.groups');
    expect(groups.variablePath).toBe('oidcConfig.claims.groups');
    expect([...groups.dependencies.variables]).toEqual(['oidcConfig']);
    expect(groups.render(IN_RANGE)).toBe('$.oidcConfig.claims.groups');
  });

  it('records the parents of a nested reference as guards, outermost first', () => {
    const groups = oidc.ref.field('claims').field('groups');
    expect(groups.guards.map((g) => g.render())).toEqual(['.oidcConfig', '.oidcConfig.claims']);
  });

  it('fails when a field name is not a Go template identifier', () => {
    expect(() => oidc.ref.field('client-secret')).toThrow(
      "field 'client-secret' cannot be read in a Go template; expected an identifier",
    );
  });
});

describe('builtin references', () => {
  it('renders builtins below .builtin with their scope as dependency', () => {
    const version = builtin.machineDeployment.version;
    expect(version.render()).toBe('.builtin.machineDeployment.version');
    expect(version.variablePath).toBe('builtin.machineDeployment.version');
    expect([...version.dependencies.builtins]).toEqual(['machineDeployment']);
    expect([...version.dependencies.variables]).toEqual([]);
  });

  it('renders deep builtin paths and uses $ inside a range body', () => {
    expect(builtin.controlPlane.machineTemplate.infrastructureRef.name.render()).toBe('.builtin.controlPlane.machineTemplate.infrastructureRef.name');
    expect(builtin.cluster.network.serviceDomain.render()).toBe('.builtin.cluster.network.serviceDomain');
    expect(builtin.cluster.name.render(IN_RANGE)).toBe('$.builtin.cluster.name');
    expect([...builtin.cluster.topology.version.dependencies.builtins]).toEqual(['cluster']);
  });
});

describe('eq and ne', () => {
  it('compares an enum variable with a member, quoted as a Go string', () => {
    const condition = eq(loadBalancer.ref, 'octavia-ovn');
    expect(condition.render()).toBe('eq .apiServerLoadBalancer "octavia-ovn"');
    expect(condition.variablePath).toBeUndefined();
    expect([...condition.dependencies.variables]).toEqual(['apiServerLoadBalancer']);
  });

  it('quotes double quotes, backslashes and control characters the Go way', () => {
    expect(eq(flavor.ref, 'say "hi"').render()).toBe('eq .controlPlaneFlavor "say \\"hi\\""');
    expect(eq(flavor.ref, 'C:\\path').render()).toBe('eq .controlPlaneFlavor "C:\\\\path"');
    expect(ne(flavor.ref, 'a\nb\tc').render()).toBe('ne .controlPlaneFlavor "a\\nb\\tc"');
    expect(ne(flavor.ref, '').render()).toBe('ne .controlPlaneFlavor ""');
    expect(ne(flavor.ref, '{{ .x }}').render()).toBe('ne .controlPlaneFlavor "{{ .x }}"');
  });

  it('compares two numeric references', () => {
    const other = new ClusterClassVariable('workerMTU', { schema: VariableSchema.integer() });
    expect(ne(mtu.ref, other.ref).render()).toBe('ne .networkMTU .workerMTU');
  });

  it('writes booleans as true and false', () => {
    expect(eq(orc.ref, true).render()).toBe('eq .imageIsOrc true');
    expect(ne(orc.ref, false).render()).toBe('ne .imageIsOrc false');
  });

  it('compares two references and collects both dependencies', () => {
    const other = new ClusterClassVariable('workerFlavor', { schema: VariableSchema.string() });
    const condition = eq(flavor.ref, other.ref);
    expect(condition.render()).toBe('eq .controlPlaneFlavor .workerFlavor');
    expect([...condition.dependencies.variables].sort()).toEqual(['controlPlaneFlavor', 'workerFlavor']);
  });

  it('compares a builtin with a literal', () => {
    const condition = eq(builtin.machineDeployment.class, 'default-worker');
    expect(condition.render()).toBe('eq .builtin.machineDeployment.class "default-worker"');
    expect([...condition.dependencies.builtins]).toEqual(['machineDeployment']);
  });

  it('fails when a number literal has no Go form', () => {
    // Literals are checked when the expression is rendered (at synthesis).
    expect(() => eq(mtu.ref, Number.NaN).render()).toThrow('literal NaN cannot be written in a Go template');
    expect(() => literal(Number.POSITIVE_INFINITY).render()).toThrow('literal Infinity cannot be written in a Go template');
  });

  it('renders a literal on its own', () => {
    expect(literal('x"y').render()).toBe('"x\\"y"');
    // Numbers render as float constants: Cluster API hands variables to the
    // template through JSON, so they are float64, and Go's eq refuses to
    // compare float64 with an int constant.
    expect(literal(42).render()).toBe('42.0');
    expect(literal(1.5).render()).toBe('1.5');
    expect(eq(mtu.ref, 1500).render()).toBe('eq .networkMTU 1500.0');
    expect(literal(false).render()).toBe('false');
  });

  it('only compiles comparisons of like values', () => {
    // Each line below is a compile error; tsc (npm test) fails if one compiles.
    // @ts-expect-error a string variable is not compared with a number
    eq(flavor.ref, 1);
    // @ts-expect-error an integer variable is not compared with a string
    ne(mtu.ref, '1500');
    // @ts-expect-error a boolean variable is not compared with a string
    eq(orc.ref, 'true');
    // @ts-expect-error a list is not a literal type
    eq(names.ref, 'a');
    // @ts-expect-error 'octavia-amphra' is not a member of the variable's enum
    eq(loadBalancer.ref, 'octavia-amphra');
    // @ts-expect-error ne checks enum members too
    ne(loadBalancer.ref, 'amphora');
    // The well-typed forms compile and render.
    expect(eq(loadBalancer.ref, 'none').render()).toBe('eq .apiServerLoadBalancer "none"');
  });

  it('only compiles field() for fields the schema declares', () => {
    // @ts-expect-error 'unknownField' is not a property of oidcConfig
    oidc.ref.field('unknownField');
    // @ts-expect-error 'clientid' differs in case from 'clientID'
    oidc.ref.field('clientid');
    // @ts-expect-error a string has no fields the schema declares
    oidc.ref.field('clientID').field('length2');
    expect(oidc.ref.field('claims').field('groups').render()).toBe('.oidcConfig.claims.groups');
  });
});

describe('and, or, not', () => {
  it('renders plain references bare and compound operands in parentheses', () => {
    const condition = and(orc.ref, eq(loadBalancer.ref, 'octavia-amphora'), names.ref);
    expect(condition.render()).toBe('and .imageIsOrc (eq .apiServerLoadBalancer "octavia-amphora") .securityGroups');
    expect([...condition.dependencies.variables].sort()).toEqual(['apiServerLoadBalancer', 'imageIsOrc', 'securityGroups']);
  });

  it('renders or and nested combinations', () => {
    const condition = or(eq(loadBalancer.ref, 'octavia-ovn'), and(orc.ref, not(names.ref)));
    expect(condition.render()).toBe('or (eq .apiServerLoadBalancer "octavia-ovn") (and .imageIsOrc (not .securityGroups))');
  });

  it('renders not of a reference and of a comparison', () => {
    expect(not(orc.ref).render()).toBe('not .imageIsOrc');
    expect(not(eq(flavor.ref, 'SCS-2V-4')).render()).toBe('not (eq .controlPlaneFlavor "SCS-2V-4")');
  });

  it('fails when and() or or() gets fewer than two operands', () => {
    expect(() => and(orc.ref)).toThrow('and() needs at least two operands, got 1');
    expect(() => or()).toThrow('or() needs at least two operands, got 0');
  });

  it('renders operands with $ inside a range body', () => {
    expect(and(orc.ref, builtin.cluster.name).render(IN_RANGE)).toBe('and $.imageIsOrc $.builtin.cluster.name');
  });
});

describe('isSet', () => {
  it('is the reference itself for a top-level variable', () => {
    expect(isSet(names.ref).render()).toBe('.securityGroups');
    expect(renderEnabledIf(isSet(names.ref))).toBe('{{ if .securityGroups }}true{{ end }}');
  });

  it('guards a nested field by its parent', () => {
    expect(isSet(oidc.ref.field('clientID')).render()).toBe('and .oidcConfig .oidcConfig.clientID');
  });

  it('guards a deeply nested field by every parent, outermost first', () => {
    expect(isSet(oidc.ref.field('claims').field('groups')).render()).toBe('and .oidcConfig .oidcConfig.claims .oidcConfig.claims.groups');
  });

  it('parenthesizes guarded checks inside and()', () => {
    const condition = and(isSet(oidc.ref.field('clientID')), isSet(oidc.ref.field('claims').field('groups')));
    expect(renderEnabledIf(condition)).toBe(
      '{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.claims .oidcConfig.claims.groups) }}true{{ end }}',
    );
    expect([...condition.dependencies.variables]).toEqual(['oidcConfig']);
  });

  it('renders the guards with $ inside a range body', () => {
    expect(isSet(oidc.ref.field('clientID')).render(IN_RANGE)).toBe('and $.oidcConfig $.oidcConfig.clientID');
  });
});

describe('concat', () => {
  it('renders printf with one %v per part', () => {
    const name = concat(flavor.ref, '-', builtin.controlPlane.version);
    expect(name.render()).toBe('printf "%v%v%v" .controlPlaneFlavor "-" .builtin.controlPlane.version');
    expect([...name.dependencies.variables]).toEqual(['controlPlaneFlavor']);
    expect([...name.dependencies.builtins]).toEqual(['controlPlane']);
  });

  it('accepts numbers and parenthesizes nested calls', () => {
    expect(concat('mtu-', mtu.ref, 7).render()).toBe('printf "%v%v%v" "mtu-" .networkMTU 7.0');
    expect(concat(flavor.ref, concat('-', mtu.ref)).render()).toBe('printf "%v%v" .controlPlaneFlavor (printf "%v%v" "-" .networkMTU)');
  });

  it('fails when it gets fewer than two parts', () => {
    expect(() => concat(flavor.ref)).toThrow('concat() needs at least two parts, got 1');
  });
});

describe('ifElse', () => {
  it("renders sprig's ternary with the condition last", () => {
    expect(ifElse(orc.ref, 'orc', 'filter').render()).toBe('ternary "orc" "filter" .imageIsOrc');
  });

  it('parenthesizes a compound condition and compound branches', () => {
    const value = ifElse(eq(loadBalancer.ref, 'none'), concat('-', builtin.controlPlane.version), flavor.ref);
    expect(value.render()).toBe('ternary (printf "%v%v" "-" .builtin.controlPlane.version) .controlPlaneFlavor (eq .apiServerLoadBalancer "none")');
    expect([...value.dependencies.variables].sort()).toEqual(['apiServerLoadBalancer', 'controlPlaneFlavor']);
  });

  it('is parenthesized as an argument of concat (the image name of the openstack stack)', () => {
    const image = concat(flavor.ref, ifElse(orc.ref, concat('-', builtin.machineDeployment.version), ''));
    expect(image.render()).toBe('printf "%v%v" .controlPlaneFlavor (ternary (printf "%v%v" "-" .builtin.machineDeployment.version) "" .imageIsOrc)');
  });
});

describe('renderEnabledIf', () => {
  it('wraps the condition so that the template renders true when it holds', () => {
    expect(renderEnabledIf(eq(loadBalancer.ref, 'octavia-amphora'))).toBe('{{ if eq .apiServerLoadBalancer "octavia-amphora" }}true{{ end }}');
    expect(renderEnabledIf(ne(flavor.ref, ''))).toBe('{{ if ne .controlPlaneFlavor "" }}true{{ end }}');
  });

  it('renders at the root even for a reference used inside a range elsewhere', () => {
    expect(renderEnabledIf(builtin.cluster.name)).toBe('{{ if .builtin.cluster.name }}true{{ end }}');
  });
});

describe('references inside each bodies', () => {
  it('render top-level variables and builtins with $. and the element as $e0', () => {
    const template = renderValueTemplate(
      each(names.ref, (name) => ({
        name,
        flavor: flavor.ref,
        cluster: builtin.cluster.name,
        image: concat(name, '-', builtin.controlPlane.version),
        orc: when(and(orc.ref, isSet(oidc.ref.field('clientID'))), true, false),
      })),
    );
    expect(template).toBe(
      '[{{ range $i0, $e0 := .securityGroups }}{{ if $i0 }},{{ end }}' +
        '{"name":{{ $e0 | toJson }},' +
        '"flavor":{{ $.controlPlaneFlavor | toJson }},' +
        '"cluster":{{ $.builtin.cluster.name | toJson }},' +
        '"image":{{ printf "%v%v%v" $e0 "-" $.builtin.controlPlane.version | toJson }},' +
        '"orc":{{ if and $.imageIsOrc (and $.oidcConfig $.oidcConfig.clientID) }}true{{ else }}false{{ end }}}' +
        '{{ end }}]',
    );
  });

  it('render fields of the element relative to the element', () => {
    const devices = new ClusterClassVariable('workerAdditionalBlockDevices', {
      schema: VariableSchema.array(VariableSchema.object({ name: VariableSchema.string(), sizeGiB: VariableSchema.integer() })),
    });
    const template = renderValueTemplate(each(devices.ref, (d) => ({ name: d.field('name'), size: d.field('sizeGiB'), set: when(isSet(d.field('name')), 1, 0) })));
    expect(template).toBe(
      '[{{ range $i0, $e0 := .workerAdditionalBlockDevices }}{{ if $i0 }},{{ end }}' +
        '{"name":{{ $e0.name | toJson }},"size":{{ $e0.sizeGiB | toJson }},"set":{{ if and $e0 $e0.name }}1{{ else }}0{{ end }}}' +
        '{{ end }}]',
    );
  });
});
