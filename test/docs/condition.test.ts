import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../lib/crd-schema.ts';
import { readableCondition, templateReferences } from '../../lib/docs/condition.ts';
import { renderMarkdown } from '../../lib/docs/markdown.ts';
import type { Inline } from '../../lib/docs/model.ts';
import { shippedSources } from './fixture.ts';

const SCHEMAS: Record<string, JSONSchemaProps> = {
  apiServerLoadBalancer: { type: 'string' },
  allowedCIDRs: { type: 'array' },
  networkMTU: { type: 'integer' },
  disableAPIServerFloatingIP: { type: 'boolean' },
  oidcConfig: { type: 'object' },
  'oidcConfig.clientID': { type: 'string' },
  'oidcConfig.issuerURL': { type: 'string' },
};

/** The condition as the Markdown page shows it, without the page around it. */
function words(enabledIf: string): string | undefined {
  const parts: Inline[] | undefined = readableCondition(enabledIf, (p) => SCHEMAS[p]);
  return parts === undefined ? undefined : renderMarkdown({ title: '', blocks: [{ kind: 'paragraph', content: parts }] }).trim();
}

describe('readableCondition', () => {
  it('words a reference by its type: true, not empty, not 0, set', () => {
    expect(words('{{ if .disableAPIServerFloatingIP }}true{{ end }}')).toBe('`disableAPIServerFloatingIP` is true');
    expect(words('{{ if .allowedCIDRs }}true{{ end }}')).toBe('`allowedCIDRs` is not empty');
    expect(words('{{ if .networkMTU }}true{{ end }}')).toBe('`networkMTU` is not 0');
    expect(words('{{ if .oidcConfig }}true{{ end }}')).toBe('`oidcConfig` is set');
    expect(words('{{ if .unknown }}true{{ end }}')).toBe('`unknown` is set');
  });

  it('words eq and ne with literals, and the empty string', () => {
    expect(words('{{ if eq .apiServerLoadBalancer "octavia-amphora" }}true{{ end }}')).toBe('`apiServerLoadBalancer` is `"octavia-amphora"`');
    expect(words('{{ if ne .apiServerLoadBalancer "" }}true{{ end }}')).toBe('`apiServerLoadBalancer` is not empty');
    expect(words('{{ if ne .networkMTU 1500.0 }}true{{ end }}')).toBe('`networkMTU` is not `1500`');
  });

  it('collapses the guard chains isSet() writes and keeps and/or grouping', () => {
    expect(words('{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL) }}true{{ end }}'))
      .toBe('`oidcConfig.clientID` is not empty and `oidcConfig.issuerURL` is not empty');
    expect(words('{{ if and .allowedCIDRs (or (eq .apiServerLoadBalancer "a") (eq .apiServerLoadBalancer "b")) }}true{{ end }}'))
      .toBe('`allowedCIDRs` is not empty and (`apiServerLoadBalancer` is `"a"` or `apiServerLoadBalancer` is `"b"`)');
  });

  it('negates references and comparisons directly, other conditions with not (…)', () => {
    expect(words('{{ if not .disableAPIServerFloatingIP }}true{{ end }}')).toBe('`disableAPIServerFloatingIP` is false');
    expect(words('{{ if not (eq .apiServerLoadBalancer "none") }}true{{ end }}')).toBe('`apiServerLoadBalancer` is not `"none"`');
    expect(words('{{ if not (and .allowedCIDRs .networkMTU) }}true{{ end }}')).toBe('not (`allowedCIDRs` is not empty and `networkMTU` is not 0)');
  });

  it('gives up on templates outside the subset, so the page shows the template instead', () => {
    expect(words('{{ if .a }}yes{{ end }}')).toBeUndefined();
    expect(words('{{ if semverCompare ">=1.30" .builtin.controlPlane.version }}true{{ end }}')).toBeUndefined();
    expect(words('{{ if (index .a 0) }}true{{ end }}')).toBeUndefined();
    expect(words('{{ if eq .a }}true{{ end }}')).toBeUndefined();
  });

  it('reads every enabledIf of the shipped stacks (no page falls back to a raw template)', () => {
    let checked = 0;
    for (const { bundle } of shippedSources()) {
      const file = bundle.files.find((f) => f.path === 'cluster-class.yaml');
      const cc = (yaml.loadAll(file?.content ?? '') as { kind?: string; spec?: { patches?: { name: string; enabledIf?: string }[] } }[]).find((d) => d.kind === 'ClusterClass');
      for (const p of cc?.spec?.patches ?? []) {
        if (p.enabledIf === undefined) continue;
        expect(readableCondition(p.enabledIf), `${bundle.path} patch ${p.name}: ${p.enabledIf}`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('templateReferences', () => {
  it('finds variables and builtins, not range elements or text in string literals', () => {
    expect(templateReferences('{"id":{{ .networkExternalID | toJson }}}')).toEqual(['networkExternalID']);
    expect(templateReferences('[{{ range $i0, $e0 := .securityGroups }}{{ if $i0 }},{{ end }}{"filter":{"name":{{ $e0.name | toJson }}}}{{ end }}]')).toEqual(['securityGroups']);
    expect(templateReferences('{{ printf "%v%v" $.imageName (ternary (printf "%v%v" "-" .builtin.controlPlane.version) "" .imageAddVersion) | toJson }}'))
      .toEqual(['imageName', 'builtin.controlPlane.version', 'imageAddVersion']);
    expect(templateReferences('{{ ".notAVariable" }} .alsoNot {{ 5.0 }}')).toEqual([]);
  });
});
