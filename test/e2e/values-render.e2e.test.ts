import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClassSelectorLabel, HELM_CHART_PROXIES_FILE } from '../../constructs/helm-chart-proxy.ts';
import { fileOf, gitopsBundles, ROOT, type GitopsBundle } from '../lib/bytes/gitops/support.ts';
import { e2eEnabled } from './support/context.ts';

/**
 * End to end, with the real template engines: CAAPH v0.6.4's rendering of
 * valuesTemplate (test/e2e/values-render: text/template + Masterminds sprig
 * v3.3.0, the Cluster as Cluster API v1.13.0's typed v1beta2 Cluster, v1beta1
 * input converted by Cluster API's own conversion) against the operator's
 * rendering of overwrite.yaml (test/e2e/overwrite-render: slim-sprig), merged
 * over values.yaml as Helm merges `-f`. Needs Go and the module proxy, so it
 * is part of `npm run test:e2e`.
 */
const enabled = e2eEnabled;

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function helmMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? helmMerge(out[k], v) : v;
  return out;
}

/** Workload Clusters as the management cluster holds them once the control plane endpoint is known. */
function clusterObjects(b: GitopsBundle): Record<string, Record<string, unknown>> {
  const label = clusterClassSelectorLabel(b.clusterClassName);
  const metadata = { name: 'demo-cluster', namespace: 'clusters', labels: { [label.key]: label.value } };
  const common = {
    clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, serviceDomain: 'cluster.local' },
    controlPlaneEndpoint: { host: '203.0.113.10', port: 6443 },
  };
  const v1beta1 = (variables?: { name: string; value: unknown }[]) => ({
    Cluster: {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata,
      spec: { ...common, topology: { class: b.clusterClassName, version: b.identity.kubernetes.toVersionTag(), ...(variables ? { variables } : {}) } },
    },
  });
  return {
    'v1beta1-defaults': v1beta1(),
    'v1beta1-serving-certificates-off': v1beta1([{ name: 'kubeletServingCertificates', value: false }]),
    'v1beta1-serving-certificates-on': v1beta1([{ name: 'kubeletServingCertificates', value: true }, { name: 'unrelated', value: 'x' }]),
    'v1beta2-serving-certificates-off': {
      Cluster: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata,
        spec: {
          ...common,
          topology: { classRef: { name: b.clusterClassName }, version: b.identity.kubernetes.toVersionTag(), variables: [{ name: 'kubeletServingCertificates', value: false }] },
        },
      },
    },
  };
}

describe.skipIf(!enabled)('valuesTemplate under CAAPH v0.6.4 renders what overwrite.yaml gives under the operator', () => {
  let work: string;
  let valuesRender: string;
  let overwriteRender: string;
  let bundles: GitopsBundle[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'values-render-'));
    const env = { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false -trimpath' };
    valuesRender = join(work, 'values-render');
    overwriteRender = join(work, 'overwrite-render');
    execFileSync('go', ['build', '-o', valuesRender, '.'], { cwd: join(ROOT, 'test/e2e/values-render'), env, stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync('go', ['build', '-o', overwriteRender, '.'], { cwd: join(ROOT, 'test/e2e/overwrite-render'), env, stdio: ['ignore', 'inherit', 'inherit'] });
    bundles = gitopsBundles();
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('for every shipped bundle, addon and example Cluster', () => {
    let compared = 0;
    for (const b of bundles) {
      const dir = join(work, b.path);
      mkdirSync(dir, { recursive: true });
      const proxiesPath = join(dir, HELM_CHART_PROXIES_FILE);
      writeFileSync(proxiesPath, fileOf(b, HELM_CHART_PROXIES_FILE));
      for (const [caseName, objects] of Object.entries(clusterObjects(b))) {
        const objectsPath = join(dir, `${caseName}.yaml`);
        writeFileSync(objectsPath, yaml.dump(objects));
        const caaph = JSON.parse(execFileSync(valuesRender, ['-objects', objectsPath, proxiesPath], { encoding: 'utf8' })) as Record<string, string>;
        for (const a of b.stack.addons) {
          const where = `${b.path} ${a.name} ${caseName}`;
          const base = (yaml.load(fileOf(b, `cluster-addon/${a.name}/values.yaml`)) as Record<string, unknown>)[a.chart.name];
          const overwriteFile = b.files.find((f) => f.path === `cluster-addon/${a.name}/overwrite.yaml`);
          let overwrite: unknown = {};
          if (overwriteFile && caseName.startsWith('v1beta1')) {
            // The operator reads the Cluster at v1beta1; a v1beta2 object is not what it sees.
            const path = join(dir, `${a.name}-overwrite.yaml`);
            writeFileSync(path, overwriteFile.content);
            const rendered = yaml.load(execFileSync(overwriteRender, ['-objects', objectsPath, path], { encoding: 'utf8' })) as Record<string, unknown> | null;
            overwrite = rendered?.[a.chart.name] ?? {};
          } else if (overwriteFile) {
            // Same expectation as for the v1beta1 Cluster with the same variables.
            const path = join(dir, `${a.name}-overwrite.yaml`);
            writeFileSync(path, overwriteFile.content);
            const v1beta1Case = join(dir, 'v1beta1-serving-certificates-off.yaml');
            const rendered = yaml.load(execFileSync(overwriteRender, ['-objects', v1beta1Case, path], { encoding: 'utf8' })) as Record<string, unknown> | null;
            overwrite = rendered?.[a.chart.name] ?? {};
          }
          const expected = helmMerge(base, overwrite);
          const name = `${b.stack.clusterClassName}-${a.name}`;
          const actual = caaph[name] === undefined ? {} : yaml.load(caaph[name]);
          expect(actual, where).toEqual(expected);
          compared++;
        }
      }
    }
    expect(compared).toBe(bundles.reduce((n, b) => n + b.stack.addons.length, 0) * 4);
  });
});
