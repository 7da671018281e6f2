/**
 * The Cluster Stack Operator's CRDs (crds/cso-v0.2.0-alpha.1, installed by
 * the management cluster) on a real API server: the ClusterStack objects a
 * user applies for the shipped bundles, and every `kind: ClusterStack` block
 * the generated docs and the README show, are accepted (OpenAPI schema,
 * defaulting, strict field validation); broken ones are refused. The operator
 * itself does not run (its Go module cannot be fetched here).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { at, isObject, parseDocuments, type JsonObject } from '../e2e/support/yaml.ts';
import { shippedBundles, type Bundle } from './support/bundles.ts';
import { mgmt, mgmtEnabled } from './support/context.ts';
import { Kube } from './support/kube.ts';
import { semver } from './support/upgrade.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const kube = mgmtEnabled ? new Kube(mgmt().kubectl, mgmt().kubeconfig) : undefined;
const ns = 'cluster-stack-operator';

/** The ClusterStack that makes the operator fetch and keep this bundle's release. */
function clusterStackFor(b: Bundle): JsonObject {
  const [major, minor] = semver(b.kubernetes);
  return {
    apiVersion: 'clusterstack.x-k8s.io/v1alpha1',
    kind: 'ClusterStack',
    metadata: { name: `${b.provider}-${b.stack}-${major}-${minor}` },
    spec: { provider: b.provider, name: b.stack, kubernetesVersion: `${major}.${minor}`, channel: 'stable', autoSubscribe: false, versions: [b.stackVersion], noProvider: true },
  };
}

/** `kind: ClusterStack` objects in the YAML code blocks of the README and the generated docs. */
function documentedClusterStacks(): { where: string; object: JsonObject }[] {
  const files: string[] = [join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.md')) files.push(p);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  const out: { where: string; object: JsonObject }[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      if (!/kind:\s*ClusterStack\s*$/m.test(m[1] ?? '')) continue;
      for (const doc of parseDocuments(m[1] ?? '', relative(root, file))) {
        if (isObject(doc) && doc.kind === 'ClusterStack') out.push({ where: relative(root, file), object: doc });
      }
    }
  }
  return out;
}

describe.skipIf(!mgmtEnabled)('Cluster Stack Operator CRDs', () => {
  it('accepts a ClusterStack for every shipped bundle and every one the docs show, and defaults what they leave out', async () => {
    const k = kube as Kube;
    await k.createNamespace(ns);
    const objects = [...shippedBundles(root).map((b) => ({ where: b.path, object: clusterStackFor(b) })), ...documentedClusterStacks()];
    for (const [i, { where, object }] of objects.entries()) {
      const named = { ...object, metadata: { ...(isObject(object.metadata) ? object.metadata : {}), name: `cs-${i}`, namespace: ns } };
      const r = await k.create(named, ns);
      expect(r.ok, `${where}: ${r.message}`).toBe(true);
    }
    const created = await k.list('clusterstacks.clusterstack.x-k8s.io', ns);
    expect(created).toHaveLength(objects.length);
    const minimal = { apiVersion: 'clusterstack.x-k8s.io/v1alpha1', kind: 'ClusterStack', metadata: { name: 'minimal', namespace: ns }, spec: { provider: 'docker', name: 'scs', kubernetesVersion: '1.34' } };
    const accepted = await k.create(minimal, ns);
    expect(accepted.ok, accepted.message).toBe(true);
    const defaulted = await k.mustGet('clusterstacks.clusterstack.x-k8s.io', 'minimal', ns);
    expect(at(defaulted, 'spec')).toMatchObject({ channel: 'stable', autoSubscribe: true, noProvider: false });
  });

  it('refuses broken ClusterStacks: a patch version, an unknown channel, a missing provider, an unknown field', async () => {
    const k = kube as Kube;
    // Its own namespace: the tests of this suite run concurrently.
    await k.createNamespace(`${ns}-broken`);
    const base = { apiVersion: 'clusterstack.x-k8s.io/v1alpha1', kind: 'ClusterStack', metadata: { namespace: `${ns}-broken` }, spec: { provider: 'docker', name: 'scs', kubernetesVersion: '1.34' } };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['patch-version', { kubernetesVersion: '1.34.7' }, /kubernetesVersion/],
      ['channel', { channel: 'beta' }, /channel/],
      ['no-provider', { provider: undefined }, /provider/],
      ['unknown-field', { clusterClass: 'x' }, /unknown field/],
    ];
    for (const [name, change, message] of cases) {
      const spec = Object.fromEntries(Object.entries({ ...base.spec, ...change }).filter(([, v]) => v !== undefined));
      const r = await k.create({ ...base, metadata: { ...base.metadata, name: `broken-${name}` }, spec }, base.metadata.namespace);
      expect(r.ok, `${name} was accepted`).toBe(false);
      expect(r.message, name).toMatch(message);
    }
  });
});
