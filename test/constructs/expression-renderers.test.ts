import { describe, expect, it } from 'vitest';
import { clusterVariable } from '../../constructs/addon-context.ts';
import { builtin } from '../../constructs/builtin.ts';
import {
  and, concat, describeCondition, eq, ifElse, isSet, literal, ne, not, or, renderEnabledIf, variableReference,
  type Condition, type DescriptionPart,
} from '../../constructs/expression.ts';
import { each, renderValueTemplate, templateDependencies, when } from '../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../constructs/variable.ts';
import { VariableSchema } from '../../constructs/variable-schema.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { STACKS } from '../../stacks/index.ts';

// One expression type, rendered side by side: the Go template Cluster API
// evaluates (the v1beta2 output renders it the same way), and the words the
// docs show.

const TYPES: Record<string, string> = {
  apiServerLoadBalancer: 'string',
  allowedCIDRs: 'array',
  networkMTU: 'integer',
  disableAPIServerFloatingIP: 'boolean',
  oidcConfig: 'object',
  'oidcConfig.clientID': 'string',
  'oidcConfig.issuerURL': 'string',
};

const lb = variableReference<string>('apiServerLoadBalancer');
const cidrs = variableReference<readonly string[]>('allowedCIDRs');
const mtu = variableReference<number>('networkMTU');
const fip = variableReference<boolean>('disableAPIServerFloatingIP');
const oidc = variableReference<{ clientID: string; issuerURL: string }>('oidcConfig');

/** The words as Markdown shows them: code in backticks. */
function words(condition: Condition): string | undefined {
  const parts: DescriptionPart[] | undefined = describeCondition(condition, (p) => TYPES[p]);
  return parts?.map((p) => ('code' in p ? `\`${p.code}\`` : p.text)).join('');
}

describe('a condition, rendered as Go and in words', () => {
  it('words a reference by its type: true, not empty, not 0, set', () => {
    expect(words(fip)).toBe('`disableAPIServerFloatingIP` is true');
    expect(words(cidrs)).toBe('`allowedCIDRs` is not empty');
    expect(words(mtu)).toBe('`networkMTU` is not 0');
    expect(words(oidc)).toBe('`oidcConfig` is set');
    expect(words(variableReference('unknown'))).toBe('`unknown` is set');
  });

  it('words eq and ne with literals, the empty string and other variables', () => {
    expect(words(eq(lb, 'octavia-amphora'))).toBe('`apiServerLoadBalancer` is `"octavia-amphora"`');
    expect(words(ne(lb, ''))).toBe('`apiServerLoadBalancer` is not empty');
    expect(renderEnabledIf(ne(mtu, 1500))).toBe('{{ if ne .networkMTU 1500.0 }}true{{ end }}');
    expect(words(ne(mtu, 1500))).toBe('`networkMTU` is not `1500`');
    expect(words(eq(lb, variableReference<string>('other')))).toBe('`apiServerLoadBalancer` equals `other`');
  });

  it('renders a condition over several variables with its grouping, in both forms', () => {
    const condition = and(cidrs, or(eq(lb, 'a'), eq(lb, 'b')));
    expect(renderEnabledIf(condition)).toBe('{{ if and .allowedCIDRs (or (eq .apiServerLoadBalancer "a") (eq .apiServerLoadBalancer "b")) }}true{{ end }}');
    expect(words(condition)).toBe('`allowedCIDRs` is not empty and (`apiServerLoadBalancer` is `"a"` or `apiServerLoadBalancer` is `"b"`)');
  });

  it('guards nested references for Go, and words them as the reference', () => {
    const condition = and(isSet(oidc.field('clientID')), isSet(oidc.field('issuerURL')));
    expect(renderEnabledIf(condition)).toBe('{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL) }}true{{ end }}');
    expect(words(condition)).toBe('`oidcConfig.clientID` is not empty and `oidcConfig.issuerURL` is not empty');
  });

  it('negates: a reference and a comparison directly, a compound condition as not (…)', () => {
    expect(renderEnabledIf(not(fip))).toBe('{{ if not .disableAPIServerFloatingIP }}true{{ end }}');
    expect(words(not(fip))).toBe('`disableAPIServerFloatingIP` is false');
    expect(words(not(eq(lb, 'none')))).toBe('`apiServerLoadBalancer` is not `"none"`');
    const compound = not(and(cidrs, mtu));
    expect(renderEnabledIf(compound)).toBe('{{ if not (and .allowedCIDRs .networkMTU) }}true{{ end }}');
    expect(words(compound)).toBe('not (`allowedCIDRs` is not empty and `networkMTU` is not 0)');
  });

  it('has no words for what it cannot phrase, so the page shows the template', () => {
    expect(words(ifElse(fip, true, false))).toBeUndefined();
    expect(words(eq(concat(lb, '-x'), 'a-x'))).toBeUndefined();
    expect(words(and(fip, clusterVariable(new ClusterClassVariable('flag', { schema: VariableSchema.boolean({ default: false }) }))))).toBeUndefined();
    expect(words(literal(true))).toBe('always `true`');
  });
});

describe('what an expression reads', () => {
  it('collects its variables, builtins and dotted references, in the order the template reads them', () => {
    const condition = and(isSet(oidc.field('clientID')), ne(lb, 'none'), eq(builtin.machineDeployment.class, 'default-worker'));
    expect([...condition.dependencies.variables]).toEqual(['oidcConfig', 'apiServerLoadBalancer']);
    expect([...condition.dependencies.builtins]).toEqual(['machineDeployment']);
    expect(condition.references).toEqual(['oidcConfig', 'oidcConfig.clientID', 'apiServerLoadBalancer', 'builtin.machineDeployment.class']);
    expect(not(condition).references).toEqual(condition.references);
  });

  it('finds a value template\'s references, not range elements or literal text', () => {
    expect([...templateDependencies({ id: variableReference('networkExternalID') }).references]).toEqual(['networkExternalID']);
    const groups = variableReference<readonly { name: string }[]>('securityGroups');
    const ranged = each(groups, (g) => ({ filter: { name: g.field('name') } }));
    expect(renderValueTemplate(ranged)).toBe('[{{ range $i0, $e0 := .securityGroups }}{{ if $i0 }},{{ end }}{"filter":{"name":{{ $e0.name | toJson }}}}{{ end }}]');
    expect([...templateDependencies(ranged).references]).toEqual(['securityGroups']);
    const image = concat(variableReference<string>('imageName'), ifElse(variableReference<boolean>('imageAddVersion'), concat('-', builtin.controlPlane.version), ''));
    expect([...templateDependencies(image).references]).toEqual(['imageName', 'builtin.controlPlane.version', 'imageAddVersion']);
    expect([...templateDependencies(when(fip, '.notAVariable', 5)).references]).toEqual(['disableAPIServerFloatingIP']);
  });
});

describe('the shipped stacks', () => {
  it('word every enabledIf from the model (no page falls back to a raw template)', () => {
    let checked = 0;
    for (const bundle of synthesize(STACKS)) {
      for (const p of bundle.model.clusterClass.patches) {
        if (p.enabledIf === undefined) continue;
        expect(describeCondition(p.enabledIf), `${bundle.path} patch ${p.name}: ${renderEnabledIf(p.enabledIf)}`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
