import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderContract, type ContractNode } from '../../../lib/addon-values/contract.ts';
import { extractContract } from '../../../lib/addon-values/extract.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'addon-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SOURCE = { repository: 'https://github.com/example/charts', ref: 'demo-1.0.0', commit: 'a'.repeat(40), path: 'charts/demo' };

/** A small chart with each way a template reads its values. */
function demoChart(): string {
  const dir = join(scratch, 'demo');
  mkdirSync(join(dir, 'templates', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.0.0\n');
  writeFileSync(
    join(dir, 'values.yaml'),
    [
      'replicas: 1',
      'image:',
      '  repository: example.org/demo',
      '  tag: ""',
      'nodeSelector:',
      '  kubernetes.io/os: linux',
      'resources: {}',
      'serviceMonitor: {}',
      'tolerations: []',
      'priorityClassName:',
      'labels:',
      '  team: a',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'values.schema.json'),
    JSON.stringify({ properties: { replicas: { type: ['integer', 'null'] }, config: { type: 'object', additionalProperties: true }, mode: { anyOf: [{ type: 'string' }, { type: 'boolean' }] } } }),
  );
  writeFileSync(
    join(dir, 'templates', 'deployment.yaml'),
    [
      '{{/* .Values.commented.out is not a reference */}}',
      'replicas: {{ .Values.replicas }}',
      'image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}',
      '{{- with .Values.nodeSelector }}',
      'nodeSelector: {{- toYaml . | nindent 2 }}',
      '{{- end }}',
      'resources: {{- toYaml .Values.resources | nindent 2 }}',
      '{{- if .Values.serviceMonitor.enabled }}monitor: {{ .Values.serviceMonitor.interval }}{{ end }}',
      'tolerations: {{ .Values.tolerations | toYaml | nindent 2 }}',
      '{{- range $k, $v := $.Values.extraEnv }}{{ $k }}={{ $v }}{{ end }}',
      '{{ index .Values "weird-key" "inner" }}',
      '{{ if hasKey .Values.maglev "hashSeed" }}x{{ end }}',
      '{{ $root := . }}{{ $root.Values.fromRoot }}',
      '{{- with .Values.labels }}team: {{ .team }}{{ end }}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'templates', 'sub', '_helpers.tpl'), '{{- define "demo.x" -}}{{ include "common.tplvalues.render" (dict "value" .Values.extraObjects "context" $) }}{{- end -}}\n');
  return dir;
}

function node(root: ContractNode, path: string): ContractNode | undefined {
  return path.split('.').reduce<ContractNode | undefined>((n, k) => n?.keys?.[k], root);
}

describe('contract extraction', () => {
  const contract = extractContract(demoChart(), { source: SOURCE });

  it('takes keys and types from values.yaml, the schema and the templates', () => {
    expect(contract.chart).toBe('demo');
    expect(contract.version).toBe('1.0.0');
    expect(contract.source).toEqual(SOURCE);
    const v = contract.values;
    expect(node(v, 'replicas')).toEqual({ types: ['number'] }); // schema wins, null adds nothing
    expect(node(v, 'image.tag')).toEqual({ types: ['string'] });
    expect(node(v, 'mode')).toEqual({ types: ['boolean', 'string'] });
    expect(node(v, 'config')).toEqual({ open: true, types: ['map'] }); // additionalProperties
    expect(node(v, 'priorityClassName')).toEqual({ types: ['any'] }); // null default
    expect(node(v, 'weird-key.inner')).toEqual({ types: ['any'] }); // index .Values "weird-key" "inner"
    expect(node(v, 'maglev.hashSeed')).toEqual({ types: ['any'] }); // hasKey
    expect(node(v, 'fromRoot')).toEqual({ types: ['any'] }); // $root.Values
    expect(v.keys?.commented).toBeUndefined();
  });

  it('leaves subtrees the templates pass on whole open, and closes empty maps whose keys templates read', () => {
    const v = contract.values;
    expect(node(v, 'nodeSelector')).toEqual({ open: true, types: ['map'] }); // with … toYaml .
    expect(node(v, 'resources')).toEqual({ open: true, types: ['map'] }); // toYaml .Values.x
    expect(node(v, 'tolerations')).toEqual({ open: true, types: ['list'] }); // .Values.x | toYaml
    expect(node(v, 'extraEnv')).toEqual({ open: true, types: ['any'] }); // range over $.Values.x
    expect(node(v, 'extraObjects')).toEqual({ open: true, types: ['any'] }); // a helper's "value"
    expect(node(v, 'serviceMonitor')).toEqual({ keys: { enabled: { types: ['any'] }, interval: { types: ['any'] } }, types: ['map'] });
    expect(node(v, 'labels')).toEqual({ keys: { team: { types: ['string'] } }, types: ['map'] }); // with, but no toYaml .
  });

  it('renders deterministically', () => {
    const again = extractContract(join(scratch, 'demo'), { source: SOURCE });
    expect(renderContract(again)).toBe(renderContract(contract));
    expect(renderContract(contract)).toContain('"types": ["boolean", "string"]');
  });

  it('refuses a folder that is not a chart', () => {
    expect(() => extractContract(scratch, { source: SOURCE })).toThrow(`${scratch}: no Chart.yaml; expected a Helm chart folder`);
  });
});

describe('npm run addon-contract', () => {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const script = join(ROOT, 'scripts', 'addon-contract.ts');

  it('writes <chart>-<version>.json with the provenance given', () => {
    const out = join(scratch, 'out');
    const stdout = execFileSync(tsx, [script, demoChart(), '--repository', SOURCE.repository, '--ref', SOURCE.ref, '--commit', SOURCE.commit, '--path', SOURCE.path, '--out', out], { encoding: 'utf8' });
    expect(stdout).toContain('demo 1.0.0 from https://github.com/example/charts demo-1.0.0');
    const written = JSON.parse(readFileSync(join(out, 'demo-1.0.0.json'), 'utf8')) as { source: unknown };
    expect(written.source).toEqual(SOURCE);
  });

  it('refuses to write a contract without provenance', () => {
    const out = join(scratch, 'out-refused');
    const r = spawnSync(tsx, [script, demoChart(), '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('addon-contract: needs one chart folder and --repository, --ref, --commit, --path');
    expect(existsSync(out)).toBe(false);
  });
});
