import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleFiles } from '../../../constructs/cluster-stack.ts';
import { parsePointer } from '../../../constructs/json-pointer.ts';
import { assertOutputDirFor, bundlesForClusterApi, parseClusterApiVersion } from '../../../cli/commands/synth-v1beta2.ts';
import { CrdSchemaRegistry } from '../../../lib/pipeline/crd-schema.ts';
import { synthesize, type Bundle } from '../../../lib/pipeline/synth.ts';
import { checkClassDocuments, checkV1Beta2Bundles } from '../../../lib/v1beta2/check.ts';
import { toV1Beta2 } from '../../../lib/v1beta2/convert.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../../../lib/v1beta2/json.ts';
import { COMPANION_SUFFIX } from '../../../lib/v1beta2/patches.ts';
import { TEMPLATE_CONVERSIONS, valueAt } from '../../../lib/v1beta2/templates.ts';
import { STACKS } from '../../../stacks/index.ts';
import { shippedBundlePaths } from '../../shipped.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const KCS = '/spec/template/spec/kubeadmConfigSpec';
const CC = `${KCS}/clusterConfiguration`;

const bundles = synthesize(STACKS);
const converted = bundles.map(toV1Beta2);
const registry = CrdSchemaRegistry.load();

function classFile(b: Bundle): JsonObject[] {
  const f = b.files.find((x) => x.path === BundleFiles.clusterClass);
  if (!f) throw new Error(`${b.path}: no class file`);
  // The written bytes, read as a consumer reads them.
  return yaml.loadAll(f.content).filter(isJsonObject);
}

function only(objects: readonly JsonObject[], kind: string, nameSuffix = ''): JsonObject {
  const found = objects.filter((o) => o.kind === kind && isJsonObject(o.metadata) && String(o.metadata.name).endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`expected one ${kind}*${nameSuffix}, found ${found.length}`);
  return found[0];
}

function at(o: JsonValue, path: string): JsonValue | undefined {
  return valueAt(o, path);
}

function args(o: JsonValue, path: string): Record<string, string> {
  const list = at(o, path);
  if (!Array.isArray(list)) throw new Error(`${path} is not a list: ${JSON.stringify(list)}`);
  return Object.fromEntries(list.map((e) => (isJsonObject(e) ? [String(e.name), String(e.value)] : ['?', '?'])));
}

function patches(cls: JsonObject): JsonObject[] {
  const spec = cls.spec;
  return isJsonObject(spec) && Array.isArray(spec.patches) ? spec.patches.filter(isJsonObject) : [];
}

function jsonPatches(patch: JsonObject): JsonObject[] {
  return (Array.isArray(patch.definitions) ? patch.definitions : []).filter(isJsonObject).flatMap((d) => (Array.isArray(d.jsonPatches) ? d.jsonPatches.filter(isJsonObject) : []));
}

describe('toV1Beta2', () => {
  it('converts every shipped bundle (6) and the result passes the v1beta2 CRDs, the webhook rules and the pointer walk', () => {
    expect(converted.map((b) => b.path).sort()).toEqual(shippedBundlePaths());
    expect(checkV1Beta2Bundles(converted, registry)).toEqual([]);
  });

  it('validates the converted kinds against capi-v1.13.5, where they are the storage version', () => {
    for (const [apiVersion, kind] of [
      ['cluster.x-k8s.io/v1beta2', 'ClusterClass'],
      ['controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlaneTemplate'],
      ['bootstrap.cluster.x-k8s.io/v1beta2', 'KubeadmConfigTemplate'],
      ['infrastructure.cluster.x-k8s.io/v1beta2', 'DockerClusterTemplate'],
      ['infrastructure.cluster.x-k8s.io/v1beta2', 'DockerMachineTemplate'],
    ]) {
      const info = registry.describe(apiVersion, kind);
      expect(info?.file, `${apiVersion} ${kind}`).toContain('capi-v1.13.5');
    }
  });

  it('changes cluster-class.yaml only; every other file is byte-identical', () => {
    for (const [i, b] of bundles.entries()) {
      const c = converted[i];
      expect(c.files.map((f) => f.path)).toEqual(b.files.map((f) => f.path));
      for (const [j, f] of b.files.entries()) {
        if (f.path === BundleFiles.clusterClass) expect(c.files[j].content).not.toBe(f.content);
        else expect(c.files[j].content, `${b.path}/${f.path}`).toBe(f.content);
      }
      expect({ ...c, files: [], v1beta2: undefined }).toEqual({ ...b, files: [] });
    }
  });

  it('leaves the v1beta1 default alone: the input bundle is not modified and dist/ stays v1beta1', () => {
    const again = synthesize(STACKS);
    expect(bundles.map((b) => b.files)).toEqual(again.map((b) => b.files));
    expect(bundlesForClusterApi(parseClusterApiVersion('v1beta1'), bundles)).toEqual(bundles);
    for (const path of shippedBundlePaths()) {
      const text = readFileSync(resolve(ROOT, 'dist', path, BundleFiles.clusterClass), 'utf8');
      expect(text).toContain('apiVersion: cluster.x-k8s.io/v1beta1\nkind: ClusterClass');
      expect(text).not.toContain('/v1beta2');
    }
  });

  it('is deterministic', () => {
    expect(synthesize(STACKS).map(toV1Beta2).map((b) => b.files)).toEqual(converted.map((b) => b.files));
  });

  it('refuses an unknown --cluster-api value', () => {
    expect(() => parseClusterApiVersion('v1alpha4')).toThrow("'--cluster-api' must be one of v1beta1, v1beta2, got 'v1alpha4'");
  });

  it('gives the checked v1beta2 bundles for --cluster-api v1beta2', () => {
    expect(bundlesForClusterApi('v1beta2', bundles, registry).map((b) => b.files)).toEqual(converted.map((b) => b.files));
  });

  it('fails when the v1beta2 output has problems, listing each', () => {
    const { model } = bundles[0];
    const templates = model.clusterClass.templates.map((t) => (t.kind === 'KubeadmControlPlaneTemplate' ? { ...t, metadata: { ...(t.metadata as JsonObject), labels: { 'bad label': 'x' } } } : t));
    const broken = { ...bundles[0], model: { ...model, clusterClass: { ...model.clusterClass, templates } } };
    expect(() => bundlesForClusterApi('v1beta2', [broken], registry)).toThrow(/^1 problem\(s\) in the v1beta2 output:\n  .*KubeadmControlPlaneTemplate.*invalid label key "bad label"/);
  });

  it('refuses to write v1beta2 output into the committed dist/', () => {
    const dist = resolve(ROOT, 'dist');
    expect(() => assertOutputDirFor('v1beta2', dist, dist)).toThrow(`'--cluster-api v1beta2' would overwrite ${dist}, which holds the committed v1beta1 output; choose another folder with --output-dir`);
    expect(() => assertOutputDirFor('v1beta1', dist, dist)).not.toThrow();
    expect(() => assertOutputDirFor('v1beta2', resolve(ROOT, 'out'), dist)).not.toThrow();
  });
});

describe.each(converted.map((b, i) => [b.path, b, bundles[i]] as const))('%s in v1beta2', (_path, bundle, original) => {
  const objects = classFile(bundle);
  const before = classFile(original);
  const cls = only(objects, 'ClusterClass');
  const kcp = only(objects, 'KubeadmControlPlaneTemplate');
  const kct = only(objects, 'KubeadmConfigTemplate');
  const kcpBefore = only(before, 'KubeadmControlPlaneTemplate');
  const provider = bundle.identity.provider;

  it('references every template with templateRef in its v1beta2 apiVersion, and nothing with ref', () => {
    expect(JSON.stringify(cls)).not.toContain('"ref"');
    expect(cls.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(at(cls, '/spec/controlPlane/templateRef')).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlaneTemplate', name: (kcp.metadata as JsonObject).name });
    const worker = at(cls, '/spec/workers/machineDeployments/0');
    expect(at(worker ?? null, '/class')).toBe('default-worker');
    expect(at(worker ?? null, '/template')).toBeUndefined();
    expect(at(worker ?? null, '/bootstrap/templateRef')).toEqual({ apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfigTemplate', name: (kct.metadata as JsonObject).name });
    const infraVersion = provider === 'docker' ? 'infrastructure.cluster.x-k8s.io/v1beta2' : 'infrastructure.cluster.x-k8s.io/v1beta1';
    expect(at(cls, '/spec/infrastructure/templateRef/apiVersion')).toBe(infraVersion);
    expect(at(cls, '/spec/controlPlane/machineInfrastructure/templateRef/apiVersion')).toBe(infraVersion);
    expect(at(worker ?? null, '/infrastructure/templateRef/apiVersion')).toBe(infraVersion);
  });

  it('keeps CAPO templates and ORC images exactly as they are (no v1beta2 exists for them)', () => {
    const kept = before.filter((o) => String(o.kind).startsWith('OpenStack'));
    expect(kept.length).toBe(provider === 'openstack' ? 3 : 0);
    for (const o of kept) expect(objects).toContainEqual(o);
  });

  it('selects converted kinds by their v1beta2 apiVersion', () => {
    for (const p of patches(cls)) {
      for (const d of (p.definitions as JsonObject[])) {
        const selector = d.selector as JsonObject;
        // Kinds without a v1beta2 version (CAPO, CAPH) keep the version they are served in.
        const expected = TEMPLATE_CONVERSIONS.some((c) => c.kind === selector.kind) ? /\/v1beta2$/ : 'infrastructure.cluster.x-k8s.io/v1beta1';
        if (typeof expected === 'string') expect(selector.apiVersion, `${String(p.name)}`).toBe(expected);
        else expect(selector.apiVersion, `${String(p.name)}`).toMatch(expected);
      }
    }
  });

  it('stores extraArgs and kubeletExtraArgs as {name, value} lists sorted by name, with the hardening baseline values', () => {
    for (const list of [`${CC}/apiServer/extraArgs`, `${CC}/controllerManager/extraArgs`, `${CC}/scheduler/extraArgs`, `${CC}/etcd/local/extraArgs`, `${KCS}/initConfiguration/nodeRegistration/kubeletExtraArgs`]) {
      const entries = at(kcp, list);
      expect(Array.isArray(entries), list).toBe(true);
      const names = (entries as JsonObject[]).map((e) => String(e.name));
      expect(names).toEqual([...names].sort());
      for (const e of entries as JsonObject[]) expect(Object.keys(e).sort()).toEqual(['name', 'value']);
    }
    const api = args(kcp, `${CC}/apiServer/extraArgs`);
    expect(api['enable-admission-plugins']).toBeUndefined(); // owned by admissionAlwaysPullImages, see below
    expect(api.profiling).toBe('false');
    expect(api['authorization-mode']).toBe('Node,RBAC');
    expect(args(kcp, `${CC}/controllerManager/extraArgs`)['use-service-account-credentials']).toBe('true');
    expect(args(kcp, `${CC}/etcd/local/extraArgs`)['peer-auto-tls']).toBe('false');
    const kubelet = args(kct, '/spec/template/spec/joinConfiguration/nodeRegistration/kubeletExtraArgs');
    expect(kubelet).toEqual(args(kcp, `${KCS}/joinConfiguration/nodeRegistration/kubeletExtraArgs`));
    if (provider === 'openstack') expect(kubelet['cloud-provider']).toBe('external');
  });

  it('holds, per arg list, the v1beta1 map minus exactly the args patches own, which companion patches add back with the template value', () => {
    const owned: Record<string, Record<string, string>> = {};
    for (const p of patches(cls).filter((x) => String(x.name).endsWith(COMPANION_SUFFIX))) {
      for (const jp of jsonPatches(p)) {
        const list = String(jp.path).replace(/\/-$/, '');
        const v = jp.value as JsonObject;
        owned[list] = { ...owned[list], [String(v.name)]: String(v.value) };
      }
    }
    expect(Object.keys(owned).sort()).toEqual([`${CC}/apiServer/extraArgs`, `${CC}/controllerManager/extraArgs`, `${CC}/etcd/local/extraArgs`, `${CC}/scheduler/extraArgs`]);
    expect(owned[`${CC}/apiServer/extraArgs`]).toEqual({
      'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
      'enable-admission-plugins': 'NodeRestriction,PodSecurity,EventRateLimit,DenyServiceExternalIPs',
      'service-account-extend-token-expiration': 'false',
      'authentication-config': '/etc/kubernetes/authentication/authentication-config.yaml',
    });
    expect(owned[`${CC}/scheduler/extraArgs`]).toEqual({ 'bind-address': '127.0.0.1' });
    for (const list of Object.keys(owned)) {
      expect({ ...args(kcp, list), ...owned[list] }, list).toEqual(at(kcpBefore, list));
    }
  });

  it('moves rolloutBefore.certificatesExpiryDays to rollout.before', () => {
    expect(at(kcp, '/spec/template/spec/rollout/before/certificatesExpiryDays')).toBe(60);
    expect(at(kcp, '/spec/template/spec/rolloutBefore')).toBeUndefined();
  });

  it('drops what Cluster API drops: readOnly false on volumes, empty lists', () => {
    const volumes = at(kcp, `${CC}/apiServer/extraVolumes`) as JsonObject[];
    const auditLog = volumes.find((v) => v.name === 'audit-log');
    expect(auditLog).toEqual({ name: 'audit-log', hostPath: '/var/log/kubernetes/audit', mountPath: '/var/log/kubernetes/audit', pathType: 'DirectoryOrCreate' });
    expect(volumes.find((v) => v.name === 'admission')?.readOnly).toBe(true);
    if (provider === 'docker') {
      expect(at(only(before, 'KubeadmConfigTemplate'), '/spec/template/spec/preKubeadmCommands')).toEqual([]);
      expect(at(kct, '/spec/template/spec/preKubeadmCommands')).toBeUndefined();
    }
  });

  it('rewrites every map-key extraArgs operation into an append of a {name, value} entry, and keeps the patch names and order', () => {
    const names = patches(cls).map((p) => String(p.name)).filter((n) => !n.endsWith(COMPANION_SUFFIX));
    const beforeNames = patches(only(before, 'ClusterClass')).map((p) => String(p.name));
    expect(names).toEqual(beforeNames);
    let rewritten = 0;
    for (const p of patches(cls)) {
      for (const jp of jsonPatches(p)) {
        const path = String(jp.path);
        if (!/[Ee]xtraArgs/.test(path)) continue;
        rewritten++;
        expect(jp.op, `${String(p.name)} ${path}`).toBe('add');
        expect(parsePointer(path).at(-1)).toBe('-');
      }
    }
    // authenticationConfig 1 + companion 1, kubeletSelfSignedServingCertificates 0 (its remove is gone)
    // + its companion 1, encryptionAtRest 1, exposeControlPlaneMetrics 3 + companion 3,
    // admissionAlwaysPullImages 1 + companion 1, serviceAccountExtendTokenExpiration 1 + companion 1.
    expect(rewritten).toBe(14);
  });

  it('wraps template values into a template rendering the whole entry', () => {
    const owner = patches(cls).find((p) => p.name === 'authenticationConfig');
    expect(owner).toBeDefined();
    expect(jsonPatches(owner ?? {})[0]).toEqual({
      op: 'add',
      path: `${CC}/apiServer/extraArgs/-`,
      valueFrom: {
        template:
          '{"name":"authentication-config","value":{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL) }}"/etc/kubernetes/authentication/authentication-config-oidc.yaml"{{ else }}"/etc/kubernetes/authentication/authentication-config-unrestricted.yaml"{{ end }}}',
      },
    });
  });

  it('enables each companion exactly when its owner is not', () => {
    const all = patches(cls);
    for (const [i, p] of all.entries()) {
      const name = String(p.name);
      if (!name.endsWith(COMPANION_SUFFIX)) continue;
      const owner = all[i - 1];
      expect(`${String(owner.name)}${COMPANION_SUFFIX}`).toBe(name);
      const condition = /^\{\{ if (.+) \}\}true\{\{ end \}\}$/.exec(String(owner.enabledIf))?.[1] ?? '';
      // not(expr): a compound condition in parentheses, a plain reference as is.
      expect(p.enabledIf).toBe(`{{ if not ${condition.includes(' ') ? `(${condition})` : condition} }}true{{ end }}`);
    }
  });

  it('resolves every rewritten patch in the converted templates', () => {
    expect(checkClassDocuments(bundle.v1beta2.objects, bundle.v1beta2.patches, bundle.path)).toEqual([]);
  });
});
