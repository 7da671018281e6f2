import { describe, expect, it } from 'vitest';
import { hardeningObjects, type HardeningObjects } from '../../../lib/compliance/bundle-objects.ts';
import { BASELINE_IDS, MANUAL_NOTES } from '../../../lib/compliance/cis/decisions.ts';
import { KUBE_BENCH_CHECKS, KUBE_BENCH_SOURCE } from '../../../lib/compliance/cis/kube-bench-cis-1.12.ts';
import { runKubeBenchTests } from '../../../lib/compliance/cis/kube-bench-tests.ts';
import { KUBEADM_FLAGS } from '../../../lib/compliance/cis/kubeadm.ts';
import { cisDeviationId, cisReport, runCisChecks, type CisResult } from '../../../lib/compliance/cis/report.ts';
import { isObject, type Json, type JsonObject } from '../../../lib/compliance/json.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

const all = synthesize(STACKS).map(hardeningObjects);
const openstack = all.find((o) => o.stack === 'openstack/scs' && o.minor === '1.34') as HardeningObjects;

const KCS = ['spec', 'template', 'spec', 'kubeadmConfigSpec'];
const W = ['spec', 'template', 'spec'];
const KPATCH = '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json';

function walk(root: JsonObject, path: readonly string[]): JsonObject {
  let o: Json | undefined = root;
  for (const k of path) o = isObject(o) ? o[k] : undefined;
  if (!isObject(o)) throw new Error(`no ${path.join('/')}`);
  return o;
}
const list = (root: JsonObject, path: readonly string[], key: string): Json[] => {
  const parent = walk(root, path);
  const value = parent[key] ?? [];
  if (!Array.isArray(value)) throw new Error(`${key} is not a list`);
  parent[key] = value;
  return value;
};
const args = (o: HardeningObjects, component: 'apiServer' | 'controllerManager' | 'scheduler') => walk(o.controlPlane, [...KCS, 'clusterConfiguration', component, 'extraArgs']);
const etcdArgs = (o: HardeningObjects) => walk(o.controlPlane, [...KCS, 'clusterConfiguration', 'etcd', 'local', 'extraArgs']);
const worker = (o: HardeningObjects) => o.workers[0].template;
const cpPost = (o: HardeningObjects, command: string) => list(o.controlPlane, KCS, 'postKubeadmCommands').push(command);
const wPost = (o: HardeningObjects, command: string) => list(worker(o), W, 'postKubeadmCommands').push(command);
const cpFile = (o: HardeningObjects, path: string, owner = 'nobody:nogroup', permissions = '0600') => list(o.controlPlane, KCS, 'files').push({ path, owner, permissions, content: '' });
const wFile = (o: HardeningObjects, path: string, owner = 'nobody:nogroup', permissions = '0600') => list(worker(o), W, 'files').push({ path, owner, permissions, content: '' });
const dropCommand = (root: JsonObject, path: readonly string[], key: string, pattern: RegExp) => {
  const l = list(root, path, key);
  const i = l.findIndex((c) => typeof c === 'string' && pattern.test(c));
  if (i < 0) throw new Error(`no command ${pattern}`);
  l.splice(i, 1);
};
/** Changes the worker's kubelet patch (node checks fail when any node fails). */
function kubelet(o: HardeningObjects, edit: (config: Record<string, Json>) => void): void {
  const file = list(worker(o), W, 'files').find((f) => isObject(f) && f.path === KPATCH) as JsonObject;
  const config = JSON.parse(String(file.content)) as Record<string, Json>;
  edit(config);
  file.content = JSON.stringify(config);
}
const kubeletArg = (o: HardeningObjects, key: string, value: string) => {
  const join = walk(worker(o), [...W, 'joinConfiguration', 'nodeRegistration']);
  join.kubeletExtraArgs = { ...(isObject(join.kubeletExtraArgs) ? join.kubeletExtraArgs : {}), [key]: value };
};
function withoutKubeadmFlag(process: keyof typeof KUBEADM_FLAGS, flag: string): typeof KUBEADM_FLAGS {
  const copy = structuredClone(KUBEADM_FLAGS) as Record<string, Record<string, string>>;
  delete copy[process][flag];
  return copy as typeof KUBEADM_FLAGS;
}

interface Case {
  readonly id: string;
  readonly name: string;
  readonly change?: (o: HardeningObjects) => void;
  readonly kubeadmFlags?: typeof KUBEADM_FLAGS;
}

const plugins = (o: HardeningObjects, value: string) => (args(o, 'apiServer')['enable-admission-plugins'] = value);
const manifest = (name: string) => `/etc/kubernetes/manifests/${name}.yaml`;

/** One template (or kubeadm model) that violates each check the stacks meet. */
const CASES: readonly Case[] = [
  ...(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const).flatMap((m, i): Case[] => [
    { id: `1.1.${2 * i + 1}`, name: `${m} manifest 0644`, change: (o) => cpPost(o, `chmod 644 ${manifest(m)}`) },
    { id: `1.1.${2 * i + 2}`, name: `${m} manifest owned by nobody`, change: (o) => cpFile(o, manifest(m)) },
  ]),
  { id: '1.1.11', name: 'etcd data directory 0755', change: (o) => cpPost(o, 'chmod 755 /var/lib/etcd') },
  { id: '1.1.12', name: 'etcd data directory left to kubeadm (root)', change: (o) => dropCommand(o.controlPlane, KCS, 'preKubeadmCommands', /^install -d .* \/var\/lib\/etcd$/) },
  { id: '1.1.13', name: 'admin.conf 0644', change: (o) => cpPost(o, 'chmod 644 /etc/kubernetes/admin.conf') },
  { id: '1.1.14', name: 'super-admin.conf owned by nobody', change: (o) => cpFile(o, '/etc/kubernetes/super-admin.conf') },
  { id: '1.1.15', name: 'scheduler.conf 0644', change: (o) => cpPost(o, 'chmod 644 /etc/kubernetes/scheduler.conf') },
  { id: '1.1.16', name: 'scheduler.conf owned by nobody', change: (o) => cpFile(o, '/etc/kubernetes/scheduler.conf') },
  { id: '1.1.17', name: 'controller-manager.conf 0644', change: (o) => cpPost(o, 'chmod 644 /etc/kubernetes/controller-manager.conf') },
  { id: '1.1.18', name: 'controller-manager.conf owned by nobody', change: (o) => cpFile(o, '/etc/kubernetes/controller-manager.conf') },
  { id: '1.1.19', name: 'a file in the PKI directory owned by nobody', change: (o) => cpFile(o, '/etc/kubernetes/pki/extra.pem') },
  { id: '1.1.20', name: 'a certificate 0666', change: (o) => cpPost(o, 'chmod 666 /etc/kubernetes/pki/apiserver.crt') },
  { id: '1.1.21', name: 'a key 0644', change: (o) => cpPost(o, 'chmod 644 /etc/kubernetes/pki/apiserver.key') },
  { id: '1.2.2', name: 'a token file', change: (o) => (args(o, 'apiServer')['token-auth-file'] = '/etc/kubernetes/tokens.csv') },
  { id: '1.2.3', name: 'no DenyServiceExternalIPs', change: (o) => plugins(o, 'NodeRestriction,PodSecurity,EventRateLimit') },
  { id: '1.2.4', name: 'kubeadm without a kubelet client certificate', kubeadmFlags: withoutKubeadmFlag('apiserver', 'kubelet-client-certificate') },
  { id: '1.2.5', name: 'no kubelet-certificate-authority', change: (o) => delete args(o, 'apiServer')['kubelet-certificate-authority'] },
  { id: '1.2.6', name: 'AlwaysAllow', change: (o) => (args(o, 'apiServer')['authorization-mode'] = 'Node,RBAC,AlwaysAllow') },
  { id: '1.2.7', name: 'no Node authorizer', change: (o) => (args(o, 'apiServer')['authorization-mode'] = 'RBAC') },
  { id: '1.2.8', name: 'no RBAC', change: (o) => (args(o, 'apiServer')['authorization-mode'] = 'Node') },
  { id: '1.2.9', name: 'no EventRateLimit', change: (o) => plugins(o, 'NodeRestriction,PodSecurity,DenyServiceExternalIPs') },
  { id: '1.2.10', name: 'AlwaysAdmit', change: (o) => plugins(o, 'NodeRestriction,PodSecurity,EventRateLimit,DenyServiceExternalIPs,AlwaysAdmit') },
  { id: '1.2.12', name: 'ServiceAccount disabled', change: (o) => (args(o, 'apiServer')['disable-admission-plugins'] = 'ServiceAccount') },
  { id: '1.2.13', name: 'NamespaceLifecycle disabled', change: (o) => (args(o, 'apiServer')['disable-admission-plugins'] = 'NamespaceLifecycle') },
  { id: '1.2.14', name: 'no NodeRestriction', change: (o) => plugins(o, 'PodSecurity,EventRateLimit,DenyServiceExternalIPs') },
  { id: '1.2.15', name: 'API server profiling', change: (o) => (args(o, 'apiServer').profiling = 'true') },
  { id: '1.2.16', name: 'no audit log', change: (o) => delete args(o, 'apiServer')['audit-log-path'] },
  { id: '1.2.17', name: 'audit logs kept 7 days', change: (o) => (args(o, 'apiServer')['audit-log-maxage'] = '7') },
  { id: '1.2.18', name: '3 audit log backups', change: (o) => (args(o, 'apiServer')['audit-log-maxbackup'] = '3') },
  { id: '1.2.19', name: '10 MB audit logs', change: (o) => (args(o, 'apiServer')['audit-log-maxsize'] = '10') },
  { id: '1.2.21', name: 'no service account lookup', change: (o) => (args(o, 'apiServer')['service-account-lookup'] = 'false') },
  { id: '1.2.22', name: 'kubeadm without a service account key', kubeadmFlags: withoutKubeadmFlag('apiserver', 'service-account-key-file') },
  { id: '1.2.23', name: 'kubeadm without an etcd client key', kubeadmFlags: withoutKubeadmFlag('apiserver', 'etcd-keyfile') },
  { id: '1.2.24', name: 'kubeadm without a serving key', kubeadmFlags: withoutKubeadmFlag('apiserver', 'tls-private-key-file') },
  { id: '1.2.25', name: 'kubeadm without a client CA', kubeadmFlags: withoutKubeadmFlag('apiserver', 'client-ca-file') },
  { id: '1.2.26', name: 'kubeadm without an etcd CA', kubeadmFlags: withoutKubeadmFlag('apiserver', 'etcd-cafile') },
  { id: '1.2.29', name: 'an RSA CBC cipher', change: (o) => (args(o, 'apiServer')['tls-cipher-suites'] = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA') },
  { id: '1.2.30', name: 'year-long tokens', change: (o) => (args(o, 'apiServer')['service-account-extend-token-expiration'] = 'true') },
  { id: '1.3.1', name: 'no terminated-pod-gc-threshold', change: (o) => delete args(o, 'controllerManager')['terminated-pod-gc-threshold'] },
  { id: '1.3.2', name: 'controller-manager profiling', change: (o) => (args(o, 'controllerManager').profiling = 'true') },
  { id: '1.3.3', name: 'shared controller credentials', change: (o) => (args(o, 'controllerManager')['use-service-account-credentials'] = 'false') },
  { id: '1.3.4', name: 'kubeadm without the service account private key', kubeadmFlags: withoutKubeadmFlag('controllermanager', 'service-account-private-key-file') },
  { id: '1.3.5', name: 'kubeadm without a root CA', kubeadmFlags: withoutKubeadmFlag('controllermanager', 'root-ca-file') },
  { id: '1.3.6', name: 'RotateKubeletServerCertificate off', change: (o) => (args(o, 'controllerManager')['feature-gates'] = 'RotateKubeletServerCertificate=false') },
  { id: '1.3.7', name: 'controller-manager on every interface', change: (o) => (args(o, 'controllerManager')['bind-address'] = '0.0.0.0') },
  { id: '1.4.1', name: 'scheduler profiling', change: (o) => (args(o, 'scheduler').profiling = 'true') },
  { id: '1.4.2', name: 'scheduler on every interface', change: (o) => (args(o, 'scheduler')['bind-address'] = '0.0.0.0') },
  { id: '2.1', name: 'kubeadm without an etcd serving key', kubeadmFlags: withoutKubeadmFlag('etcd', 'key-file') },
  { id: '2.2', name: 'etcd without client certificates', change: (o) => (etcdArgs(o)['client-cert-auth'] = 'false') },
  { id: '2.3', name: 'etcd auto TLS', change: (o) => (etcdArgs(o)['auto-tls'] = 'true') },
  { id: '2.4', name: 'kubeadm without an etcd peer certificate', kubeadmFlags: withoutKubeadmFlag('etcd', 'peer-cert-file') },
  { id: '2.5', name: 'etcd peers without client certificates', change: (o) => (etcdArgs(o)['peer-client-cert-auth'] = 'false') },
  { id: '2.6', name: 'etcd peer auto TLS', change: (o) => (etcdArgs(o)['peer-auto-tls'] = 'true') },
  { id: '2.7', name: 'kubeadm without an etcd trusted CA', kubeadmFlags: withoutKubeadmFlag('etcd', 'trusted-ca-file') },
  { id: '3.2.1', name: 'no audit policy', change: (o) => delete args(o, 'apiServer')['audit-policy-file'] },
  { id: '4.1.1', name: 'the kubelet unit left 0644 on the workers', change: (o) => dropCommand(worker(o), W, 'postKubeadmCommands', /^for f in .*kubelet\.service/) },
  { id: '4.1.2', name: 'the kubelet unit owned by nobody', change: (o) => wFile(o, '/lib/systemd/system/kubelet.service') },
  { id: '4.1.5', name: 'kubelet.conf 0644', change: (o) => wPost(o, 'chmod 644 /etc/kubernetes/kubelet.conf') },
  { id: '4.1.6', name: 'kubelet.conf owned by nobody', change: (o) => wFile(o, '/etc/kubernetes/kubelet.conf') },
  { id: '4.1.7', name: 'the client CA 0666', change: (o) => wPost(o, 'chmod 666 /etc/kubernetes/pki/ca.crt') },
  { id: '4.1.8', name: 'the client CA owned by nobody', change: (o) => wFile(o, '/etc/kubernetes/pki/ca.crt', 'nobody:nogroup', '0644') },
  { id: '4.1.9', name: 'kubelet config.yaml left 0644', change: (o) => dropCommand(worker(o), W, 'postKubeadmCommands', /^chmod 600 \/var\/lib\/kubelet\/config\.yaml$/) },
  { id: '4.1.10', name: 'kubelet config.yaml owned by nobody', change: (o) => wFile(o, '/var/lib/kubelet/config.yaml') },
  { id: '4.2.1', name: 'anonymous kubelet', change: (o) => kubelet(o, (c) => (c.authentication = { anonymous: { enabled: true } })) },
  { id: '4.2.2', name: 'kubelet AlwaysAllow', change: (o) => kubeletArg(o, 'authorization-mode', 'AlwaysAllow') },
  { id: '4.2.3', name: 'no kubelet client CA', change: (o) => kubelet(o, (c) => (c.authentication = { x509: { clientCAFile: '' } })) },
  { id: '4.2.4', name: 'the read-only port', change: (o) => kubelet(o, (c) => (c.readOnlyPort = 10255)) },
  { id: '4.2.5', name: 'streams never time out', change: (o) => kubelet(o, (c) => (c.streamingConnectionIdleTimeout = '0')) },
  { id: '4.2.6', name: 'no iptables util chains', change: (o) => kubelet(o, (c) => (c.makeIPTablesUtilChains = false)) },
  { id: '4.2.7', name: 'hostname-override', change: (o) => kubeletArg(o, 'hostname-override', 'node-a') },
  { id: '4.2.8', name: 'negative event QPS', change: (o) => kubelet(o, (c) => (c.eventRecordQPS = -1)) },
  { id: '4.2.10', name: 'no certificate rotation', change: (o) => kubelet(o, (c) => (c.rotateCertificates = false)) },
  { id: '4.2.11', name: 'RotateKubeletServerCertificate off', change: (o) => kubelet(o, (c) => (c.featureGates = { RotateKubeletServerCertificate: false })) },
  { id: '4.2.13', name: 'no pod PID limit', change: (o) => kubelet(o, (c) => delete c.podPidsLimit) },
  { id: '4.2.14', name: 'no seccomp default', change: (o) => kubelet(o, (c) => delete c.seccompDefault) },
  {
    id: '4.3.1',
    name: 'kube-proxy metrics on every interface',
    change: (o) => {
      const file = list(o.controlPlane, KCS, 'files').find((f) => isObject(f) && String(f.content ?? '').includes('KubeProxyConfiguration')) as JsonObject;
      file.content = String(file.content).replace('127.0.0.1:10249', '0.0.0.0:10249');
    },
  },
];

const result = (results: readonly CisResult[], id: string): CisResult => {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
};

describe('kube-bench data extract', () => {
  it('names its source and holds the master, etcd, control plane and node checks of cis-1.12', () => {
    expect(KUBE_BENCH_SOURCE).toMatchObject({ tag: 'v0.15.6', commit: '92e522b9ac82d4253e8b7582de1e75f5dae1f4b5', benchmark: 'cis-1.12', kubernetesVersions: ['1.32', '1.33', '1.34'] });
    expect(KUBE_BENCH_CHECKS).toHaveLength(97);
    expect(new Set(KUBE_BENCH_CHECKS.map((c) => c.id)).size).toBe(97);
    expect(new Set(KUBE_BENCH_CHECKS.map((c) => c.file))).toEqual(new Set(['cfg/cis-1.12/master.yaml', 'cfg/cis-1.12/etcd.yaml', 'cfg/cis-1.12/controlplane.yaml', 'cfg/cis-1.12/node.yaml']));
    expect(KUBE_BENCH_CHECKS.find((c) => c.id === '1.2.15')).toMatchObject({ type: 'automated', scored: true, tests: [{ flag: '--profiling', set: true, compare: { op: 'eq', value: 'false' } }] });
  });

  it('maps every check to baseline ids or a manual note', () => {
    expect(KUBE_BENCH_CHECKS.filter((c) => BASELINE_IDS[c.id] === undefined && MANUAL_NOTES[c.id] === undefined).map((c) => c.id)).toEqual([]);
  });
});

describe.each(all.map((o) => [`${o.stack} ${o.minor}`, o] as const))('kube-bench on %s', (_, o) => {
  const results = runCisChecks(o);

  it('meets every automated check with the default variables', () => {
    expect(results.filter((r) => r.type === 'automated' && r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.detail}`)).toEqual([]);
  });

  it('fails nothing; every manual check it does not meet has a documented reason', () => {
    expect(results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.detail}`)).toEqual([]);
    for (const r of results.filter((x) => x.status === 'manual')) expect(MANUAL_NOTES[r.id], r.id).toBeDefined();
  });

  it('leaves exactly the documented manual checks unmet', () => {
    expect(results.filter((r) => r.status === 'manual').map((r) => r.id)).toEqual(['1.1.9', '1.1.10', '1.2.1', '1.2.11', '1.2.20', '1.2.27', '1.2.28', '3.1.1', '3.1.2', '3.1.3', '3.2.2', '4.1.3', '4.1.4', '4.2.9', '4.2.12']);
  });
});

describe('each kube-bench check the stacks meet', () => {
  const base = runCisChecks(openstack);

  it.each(CASES.map((c) => [`${c.id} fails with ${c.name}`, c] as const))('%s', (_name, c) => {
    expect(result(base, c.id).status).toBe('pass');
    const o = structuredClone(openstack);
    c.change?.(o);
    const r = result(runCisChecks(o, { kubeadmFlags: c.kubeadmFlags }), c.id);
    expect(r.status, r.detail).toBe('fail');
  });

  it('has a failing case for every check that passes', () => {
    const covered = new Set(CASES.map((c) => c.id));
    expect(base.filter((r) => r.status === 'pass' && !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('turns an automated failure into a deviation only for the stack that documents it', () => {
    const o = structuredClone(openstack);
    cpPost(o, 'chmod 644 /etc/kubernetes/admin.conf');
    const reason = 'a test deviation';
    expect(result(runCisChecks(o, { deviations: [{ stack: 'openstack/scs', id: cisDeviationId('1.1.13'), reason }] }), '1.1.13')).toMatchObject({ status: 'deviation' });
    expect(result(runCisChecks(o, { deviations: [{ stack: 'docker/scs', id: cisDeviationId('1.1.13'), reason }] }), '1.1.13')).toMatchObject({ status: 'fail' });
  });

  it('fails a manual check the stacks do not meet when no note says why', () => {
    expect(result(runCisChecks(openstack, { notes: {} }), '1.2.11')).toMatchObject({ status: 'fail' });
    expect(result(runCisChecks(openstack, { notes: {} }), '3.1.1')).toMatchObject({ status: 'fail' });
  });

  it('fails every check when a patch changes a bootstrap template with the default variables', () => {
    const o = structuredClone(openstack);
    const patches = list(o.clusterClass, ['spec'], 'patches');
    patches.push({ name: 'always', definitions: [{ selector: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } }, jsonPatches: [{ op: 'add', path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs/profiling', value: 'true' }] }] });
    expect(result(runCisChecks(o), '1.2.15')).toMatchObject({ status: 'fail' });
  });
});

describe("kube-bench's test semantics", () => {
  const check = (id: string) => KUBE_BENCH_CHECKS.find((c) => c.id === id) ?? (() => { throw new Error(id); })();

  it('reads a bare flag as true, compares booleans case-insensitively and numbers numerically', () => {
    expect(runKubeBenchTests(check('1.2.15'), { output: 'kube-apiserver --profiling' }).passed).toBe(false);
    expect(runKubeBenchTests(check('1.2.15'), { output: 'kube-apiserver --profiling=False' }).passed).toBe(true);
    expect(runKubeBenchTests(check('1.2.17'), { output: 'kube-apiserver --audit-log-maxage=100' }).passed).toBe(true);
    expect(runKubeBenchTests(check('1.2.17'), { output: 'kube-apiserver --audit-log-maxage=x' }).passed).toBe(false);
  });

  it('falls back to the configuration file only when the flag is absent', () => {
    expect(runKubeBenchTests(check('4.2.4'), { output: 'kubelet', config: '{"readOnlyPort":10255}' }).passed).toBe(false);
    expect(runKubeBenchTests(check('4.2.4'), { output: 'kubelet --read-only-port=0', config: '{"readOnlyPort":10255}' }).passed).toBe(true);
  });

  it('tests every line with use_multiple_values and permissions as a bitmask', () => {
    expect(runKubeBenchTests(check('1.1.21'), { output: 'permissions=600\npermissions=400' }).passed).toBe(true);
    expect(runKubeBenchTests(check('1.1.21'), { output: 'permissions=600\npermissions=640' }).passed).toBe(false);
  });
});

describe('the report', () => {
  it('prints one row per kube-bench check with its type, the baseline ids and a status per bundle', () => {
    const { text, failed } = cisReport(all.map((o) => ({ stack: o.stack, minor: o.minor, results: runCisChecks(o) })), 'markdown');
    expect(failed).toBe(false);
    expect(text).toContain('| kube-bench | type | baseline | docker/scs 1.32 |');
    expect(text).toContain('| 1.2.15 | automated | 1.2.15 | pass | pass | pass | pass | pass | pass |');
    expect(text).toContain('| 1.2.11 | manual | N9 | manual | manual | manual | manual | manual | manual |');
    const shipped = STACKS.reduce((n, d) => n + d.versions.length, 0);
    expect(text).toMatch(new RegExp(`kube-bench cis-1\\.12 \\(v0\\.15\\.6\\) 97 checks × ${shipped} bundles: \\d+ pass, 0 deviation, \\d+ manual, 0 FAIL\\.`));
    expect(text).toContain('- **1.2.11** AlwaysPullImages costs registry traffic');
    expect(text).toContain('turned on by `admissionAlwaysPullImages: true`');
  });
});
