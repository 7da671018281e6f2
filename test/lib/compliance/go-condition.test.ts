import { describe, expect, it } from 'vitest';
import { conditionVariables, evaluateEnabledIf } from '../../../lib/compliance/go-condition.ts';
import type { Json } from '../../../lib/compliance/json.ts';
import { renderTemplateStatically } from '../../../lib/compliance/patches.ts';

const cond = (pipeline: string) => `{{ if ${pipeline} }}true{{ end }}`;

describe('evaluateEnabledIf', () => {
  it('treats a missing enabledIf as always enabled', () => {
    expect(evaluateEnabledIf(undefined, {})).toEqual({ ok: true, enabled: true });
  });

  it.each([
    ['.flag', { flag: true }, true],
    ['.flag', { flag: false }, false],
    ['.flag', {}, false],
    ['not .flag', { flag: false }, true],
    ['ne .name ""', { name: '' }, false],
    ['ne .name ""', { name: 'secret' }, true],
    ['eq .lb "octavia-ovn" "none"', { lb: 'none' }, true],
    ['or (ne .pids 4096.0) (not .seccomp)', { pids: 4096, seccomp: true }, false],
    ['or (ne .pids 4096.0) (not .seccomp)', { pids: 8192, seccomp: true }, true],
    ['and .list (eq .lb "octavia-amphora")', { list: [], lb: 'octavia-amphora' }, false],
    ['and .oidc .oidc.clientID', {}, false],
    ['and .oidc .oidc.clientID', { oidc: { clientID: 'kubectl' } }, true],
    ['and .on (not (and (and .oidc .oidc.id) (and .oidc .oidc.url)))', { on: true, oidc: { id: 'x', url: 'https://x' } }, false],
    ['and .on (not (and (and .oidc .oidc.id) (and .oidc .oidc.url)))', { on: true }, true],
  ] as [string, Record<string, Json>, boolean][])('evaluates %s with %j as %s', (pipeline, variables, enabled) => {
    expect(evaluateEnabledIf(cond(pipeline), variables)).toEqual({ ok: true, enabled });
  });

  it('fails like Go when a field of a missing value is read without a guard', () => {
    const r = evaluateEnabledIf(cond('.oidc.clientID'), {});
    expect(r).toEqual({ ok: false, error: expect.stringContaining('nil pointer evaluating .oidc.clientID') });
  });

  it('fails like Go when an integer literal is compared with a JSON number', () => {
    expect(evaluateEnabledIf(cond('ne .pids 4096'), { pids: 4096 })).toEqual({ ok: false, error: expect.stringContaining('incompatible types for comparison (float, int)') });
  });

  it('refuses forms and functions it does not know instead of guessing', () => {
    expect(evaluateEnabledIf('{{ .flag }}', { flag: true })).toEqual({ ok: false, error: 'unsupported enabledIf form "{{ .flag }}"' });
    expect(evaluateEnabledIf(cond('hasPrefix "a" .x'), { x: 'a' })).toEqual({ ok: false, error: expect.stringContaining("function 'hasPrefix' is not supported") });
    expect(evaluateEnabledIf(cond('.x | not'), { x: true })).toEqual({ ok: false, error: expect.stringContaining("'|' is not supported") });
  });

  it('names the variables a condition reads', () => {
    expect(conditionVariables(cond('and .restrictAnonymousAuth (not (and .oidcConfig .oidcConfig.clientID))'))).toEqual(['restrictAnonymousAuth', 'oidcConfig']);
    expect(conditionVariables(undefined)).toEqual([]);
  });
});

describe('renderTemplateStatically', () => {
  it('renders toJson actions as placeholder strings and actions inside strings as text', () => {
    expect(renderTemplateStatically('{"path":"/a","contentFrom":{"secret":{"name":{{ .name | toJson }},"key":"k"}}}')).toEqual({
      path: '/a',
      contentFrom: { secret: { name: '<.name | toJson>', key: 'k' } },
    });
    expect(renderTemplateStatically('{"content":"{\\"pids\\":{{ .pids }}}\\n"}')).toEqual({ content: '{"pids":<.pids>}\n' });
    expect(renderTemplateStatically('[{"mtu":{{ .mtu }}}]')).toEqual([{ mtu: 0 }]);
  });

  it('leaves templates with control structures opaque', () => {
    expect(renderTemplateStatically('{{ if .x }}{"a":1}{{ else }}{"b":2}{{ end }}')).toBeUndefined();
  });
});
