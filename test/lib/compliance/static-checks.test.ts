import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parsePointer } from '../../../constructs/json-pointer.ts';
import { hardeningObjects, type HardeningObjects } from '../../../lib/compliance/bundle-objects.ts';
import { runStaticChecks, staleDeviations } from '../../../lib/compliance/deviations.ts';
import { isObject, type Json, type JsonObject } from '../../../lib/compliance/json.ts';
import { STATIC_CHECKS, type CheckResult } from '../../../lib/compliance/static-checks.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { STACKS } from '../../../stacks/index.ts';

const bundles = synthesize(STACKS);
const all = bundles.map(hardeningObjects);
const bundle = (stack: string, minor: string): HardeningObjects => {
  const found = all.find((o) => o.stack === stack && o.minor === minor);
  if (!found) throw new Error(`${stack} ${minor} is not synthesized`);
  return found;
};
const openstack = bundle('openstack/scs', '1.34');

// ---------------------------------------------------------------------------
// Helpers to change a copy of the objects
// ---------------------------------------------------------------------------

const KCS = '/spec/template/spec/kubeadmConfigSpec';
const API = `${KCS}/clusterConfiguration/apiServer/extraArgs`;
const CM = `${KCS}/clusterConfiguration/controllerManager/extraArgs`;
const SCH = `${KCS}/clusterConfiguration/scheduler/extraArgs`;
const ETCD = `${KCS}/clusterConfiguration/etcd/local/extraArgs`;
const VOLUMES = `${KCS}/clusterConfiguration/apiServer/extraVolumes`;
const CP_FILES = `${KCS}/files`;
const W_FILES = '/spec/template/spec/files';
const KPATCH = '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json';
const SYSCTL = '/etc/sysctl.d/90-kubelet.conf';
const AUTHN = '/etc/kubernetes/authentication/authentication-config.yaml';
const CP_SELECTOR = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } };
const W_SELECTOR = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', matchResources: { machineDeploymentClass: { names: ['default-worker'] } } };

const copy = (o: HardeningObjects): HardeningObjects => structuredClone(o);
const cp = (o: HardeningObjects) => o.controlPlane;
const worker = (o: HardeningObjects) => o.workers[0].template;
const cpName = (o: HardeningObjects) => `KubeadmControlPlaneTemplate/${String((cp(o).metadata as JsonObject).name)}`;
const wName = (o: HardeningObjects) => `KubeadmConfigTemplate/${String((worker(o).metadata as JsonObject).name)}`;
const ccName = (o: HardeningObjects) => `ClusterClass/${String((o.clusterClass.metadata as JsonObject).name)}`;

function parent(root: JsonObject, pointer: string): { container: Json; key: string } {
  const segments = parsePointer(pointer);
  let container: Json = root;
  for (const s of segments.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(container) ? container[Number(s)] : isObject(container) ? container[s] : undefined;
    if (next === undefined) throw new Error(`no ${pointer}`);
    container = next;
  }
  return { container, key: segments[segments.length - 1] };
}

function get(root: JsonObject, pointer: string): Json {
  const { container, key } = parent(root, pointer);
  const value = Array.isArray(container) ? container[Number(key)] : isObject(container) ? container[key] : undefined;
  if (value === undefined) throw new Error(`no ${pointer}`);
  return value;
}

function set(root: JsonObject, pointer: string, value: Json): void {
  const { container, key } = parent(root, pointer);
  if (Array.isArray(container)) {
    if (key === '-') container.push(value);
    else container[Number(key)] = value;
  } else if (isObject(container)) container[key] = value;
  else throw new Error(`cannot set ${pointer}`);
}

function remove(root: JsonObject, pointer: string): void {
  const { container, key } = parent(root, pointer);
  if (Array.isArray(container)) container.splice(Number(key), 1);
  else if (isObject(container)) delete container[key];
}

function list(root: JsonObject, pointer: string): Json[] {
  const value = get(root, pointer);
  if (!Array.isArray(value)) throw new Error(`${pointer} is not a list`);
  return value;
}

function fileIndex(root: JsonObject, files: string, path: string): number {
  const index = list(root, files).findIndex((f) => isObject(f) && f.path === path);
  if (index < 0) throw new Error(`no file ${path}`);
  return index;
}

/** Changes a YAML or JSON file's parsed content; returns the pointer to the content. */
function editFile(root: JsonObject, files: string, path: string, edit: (doc: JsonObject) => void, format: 'yaml' | 'json' = 'yaml'): string {
  const pointer = `${files}/${fileIndex(root, files, path)}/content`;
  const doc = (format === 'json' ? JSON.parse(String(get(root, pointer))) : yaml.load(String(get(root, pointer)))) as JsonObject;
  edit(doc);
  set(root, pointer, format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : yaml.dump(doc));
  return pointer;
}

const patchIndex = (o: HardeningObjects, name: string) => list(o.clusterClass, '/spec/patches').findIndex((p) => isObject(p) && p.name === name);
const variableIndex = (o: HardeningObjects, name: string) => list(o.clusterClass, '/spec/variables').findIndex((v) => isObject(v) && v.name === name);

/** Appends a patch with these operations to the ClusterClass. */
function addPatch(o: HardeningObjects, name: string, selector: JsonObject, jsonPatches: JsonObject[], enabledIf?: string): string {
  const patches = list(o.clusterClass, '/spec/patches');
  patches.push({ name, ...(enabledIf ? { enabledIf } : {}), definitions: [{ selector, jsonPatches }] });
  return `${ccName(o)} /spec/patches/${patches.length - 1}/definitions/0/jsonPatches`;
}

function result(results: readonly CheckResult[], id: string, title: string): CheckResult {
  const found = results.filter((r) => r.id === id && r.title.includes(title));
  if (found.length !== 1) throw new Error(`${found.length} results for ${id} '${title}'`);
  return found[0];
}

function run(o: HardeningObjects): CheckResult[] {
  return STATIC_CHECKS.flatMap((c) => c.run(o));
}

// ---------------------------------------------------------------------------
// Every synthesized stack × minor passes or deviates as documented
// ---------------------------------------------------------------------------

describe.each(all.map((o) => [`${o.stack} ${o.minor}`, o] as const))('%s', (_, o) => {
  const results = runStaticChecks(o);

  it.each(results.map((r) => [`${r.id} ${r.title}`, r] as const))('%s', (_name, r) => {
    expect([r.status, r.detail]).toEqual([r.status === 'deviation' ? 'deviation' : 'pass', r.detail]);
    if (r.status === 'deviation') expect(o.deviations.some((d) => d.stack === o.stack && d.id === r.id)).toBe(true);
  });

  it('runs every check of the baseline', () => {
    expect(STATIC_CHECKS.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results).toHaveLength(60);
    expect(new Set(results.map((r) => `${r.id} ${r.title}`)).size).toBe(results.length);
  });
});

describe('deviations', () => {
  const reports = all.map((o) => ({ stack: o.stack, results: runStaticChecks(o) }));

  it('are exactly the documented ones: docker/scs without protectKernelDefaults', () => {
    const deviating = reports.flatMap((r, i) => r.results.filter((x) => x.status === 'deviation').map((x) => `${all[i].stack} ${all[i].minor} ${x.id}`));
    expect(deviating).toEqual(['docker/scs 1.32 kernel', 'docker/scs 1.33 kernel', 'docker/scs 1.34 kernel']);
  });

  it('are all still needed', () => {
    expect(staleDeviations(reports, all.flatMap((o) => o.deviations))).toEqual([]);
  });

  it('are what turns a failure into a deviation', () => {
    const docker = bundle('docker/scs', '1.34');
    const kernel = runStaticChecks(docker, []).find((r) => r.id === 'kernel');
    expect(kernel?.status).toBe('fail');
    expect(kernel?.detail).toContain(`${cpName(docker)} ${CP_FILES}/5/content → /protectKernelDefaults: expected true, got false`);
    expect(kernel?.detail).toContain(`${wName(docker)} /spec/template/spec/preKubeadmCommands: no "sysctl --system" before kubeadm`);
  });

  it('come from the stack definition: without its declaration, docker/scs fails the kernel item', () => {
    const docker = STACKS.find((d) => d.provider === 'docker' && d.stack === 'scs');
    if (!docker) throw new Error('docker/scs is not shipped');
    expect(docker.hardeningDeviations?.map((d) => d.id)).toEqual(['kernel']);
    const undeclared = synthesize([{ ...docker, hardeningDeviations: undefined }], { filter: (id) => id.kubernetes.minorVersion === '1.34' });
    const results = runStaticChecks(hardeningObjects(undeclared[0]));
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}`)).toEqual(['kernel fail']);
  });

  it('apply only to the stack they name', () => {
    const o = copy(openstack);
    editFile(worker(o), W_FILES, KPATCH, (d) => (d.protectKernelDefaults = false), 'json');
    editFile(cp(o), CP_FILES, KPATCH, (d) => (d.protectKernelDefaults = false), 'json');
    expect(runStaticChecks(o).find((r) => r.id === 'kernel')?.status).toBe('fail');
  });
});

// ---------------------------------------------------------------------------
// Each check fails on a changed copy, naming the object and path
// ---------------------------------------------------------------------------

/** Four files just under the CRD limit on the worker: together over the user-data budget. */
function addBigFiles(o: HardeningObjects): void {
  for (let i = 0; i < 4; i++) list(worker(o), W_FILES).push({ path: `/opt/big-${i}`, owner: 'root:root', permissions: '0644', content: 'x'.repeat(9000) });
}

interface Case {
  readonly name: string;
  readonly id: string;
  readonly title: string;
  /** Changes the copy; returns the path-qualified text the failure must contain. */
  readonly change: (o: HardeningObjects) => string;
  readonly base?: HardeningObjects;
}

const CASES: readonly Case[] = [
  // 1. exact extraArgs
  {
    name: 'NodeRestriction is not first',
    id: '1.2.3, 1.2.9–14',
    title: 'admission plugins',
    change: (o) => {
      set(cp(o), `${API}/enable-admission-plugins`, 'PodSecurity,NodeRestriction,EventRateLimit,DenyServiceExternalIPs');
      return `${cpName(o)} ${API}/enable-admission-plugins: expected "NodeRestriction,PodSecurity,EventRateLimit,DenyServiceExternalIPs"`;
    },
  },
  {
    name: 'the AlwaysPullImages patch drops the baseline plugins',
    id: '1.2.3, 1.2.9–14',
    title: 'admission plugins',
    change: (o) => {
      const i = patchIndex(o, 'admissionAlwaysPullImages');
      set(o.clusterClass, `/spec/patches/${i}/definitions/0/jsonPatches/0/value`, 'AlwaysPullImages');
      return `${ccName(o)} /spec/patches/${i}/definitions/0/jsonPatches/0: patch 'admissionAlwaysPullImages' sets enable-admission-plugins to "AlwaysPullImages"`;
    },
  },
  {
    name: 'the CSR approver is not staged after control plane initialization',
    id: '1.2.5',
    title: 'kubelet-certificate-authority',
    change: (o) => {
      Object.assign(o, { addonStages: { ...o.addonStages, AfterControlPlaneInitialized: ['cni', 'metrics-server'] } });
      return 'clusteraddon.yaml /addonStages/AfterControlPlaneInitialized: kubelet-csr-approver is not applied';
    },
  },
  {
    name: 'a worker has no serving-certificate bootstrap',
    id: '1.2.5',
    title: 'kubelet-certificate-authority',
    change: (o) => {
      const pointer = editFile(worker(o), W_FILES, KPATCH, (d) => (d.serverTLSBootstrap = false), 'json');
      return `${wName(o)} ${pointer} → /serverTLSBootstrap: kubelet-certificate-authority needs serverTLSBootstrap true, got false`;
    },
  },
  {
    name: 'the CSR approver lacks the uninitialized toleration',
    id: '1.2.5',
    title: 'kubelet-certificate-authority',
    change: (o) => {
      const path = 'cluster-addon/kubelet-csr-approver/values.yaml';
      Object.assign(o, { addonFiles: { ...o.addonFiles, [path]: o.addonFiles[path].replace('node.cloudprovider.kubernetes.io/uninitialized', 'example.com/other') } });
      return `${path} tolerations: no toleration for node.cloudprovider.kubernetes.io/uninitialized`;
    },
  },
  ...(
    [
      ['1.2.6–8', 'authorization-mode Node,RBAC', API, 'authorization-mode', 'RBAC'],
      ['1.2.15', 'API server profiling=false', API, 'profiling', 'true'],
      ['1.2.16–19', 'audit log at', API, 'audit-log-maxage', '7'],
      ['1.2.20, scs-0215', 'request-timeout 60s', API, 'request-timeout', '300s'],
      ['1.2.21–26', 'service-account-lookup=true', API, 'service-account-lookup', 'false'],
      ['1.2.29', 'API server TLS 1.2+', API, 'tls-min-version', 'VersionTLS10'],
      ['1.2.30', 'service-account-extend-token-expiration=false', API, 'service-account-extend-token-expiration', 'true'],
      ['1.3.1', 'terminated-pod-gc-threshold', CM, 'terminated-pod-gc-threshold', '12500'],
      ['1.3.2, 1.4.1', 'controller-manager and scheduler profiling', SCH, 'profiling', 'true'],
      ['1.3.3', 'use-service-account-credentials', CM, 'use-service-account-credentials', 'false'],
      ['1.3.7, 1.4.2', 'bind to 127.0.0.1', SCH, 'bind-address', '0.0.0.0'],
      ['2.1–2.7', 'etcd client/peer cert auth', ETCD, 'listen-metrics-urls', 'http://0.0.0.0:2381'],
      ['scs-0215', 'etcd periodic auto-compaction', ETCD, 'auto-compaction-retention', '1h'],
    ] as const
  ).map(([id, title, base, key, value]): Case => ({
    name: `${key} is ${value}`,
    id,
    title,
    change: (o) => {
      set(cp(o), `${base}/${key}`, value);
      return `${cpName(o)} ${base}/${key}: expected`;
    },
  })),
  {
    name: 'an argument is a number, not a string',
    id: '1.2.16–19',
    title: 'audit log at',
    change: (o) => {
      set(cp(o), `${API}/audit-log-maxsize`, 100);
      return `${cpName(o)} ${API}/audit-log-maxsize: expected "100", got 100`;
    },
  },

  // 2. forbidden settings
  {
    name: 'token-auth-file is set',
    id: '1.2.2',
    title: 'no token-auth-file',
    change: (o) => {
      set(cp(o), `${API}/token-auth-file`, '/etc/kubernetes/tokens.csv');
      return `${cpName(o)} ${API}/token-auth-file: token-auth-file is set`;
    },
  },
  {
    name: 'anonymous-auth is passed to the API server',
    id: '1.2.1',
    title: 'no API server anonymous-auth flag',
    change: (o) => {
      set(cp(o), `${API}/anonymous-auth`, 'false');
      return `${cpName(o)} ${API}/anonymous-auth: anonymous-auth="false" is set`;
    },
  },
  {
    name: 'a patch adds AlwaysAllow',
    id: '1.2.6–8',
    title: 'no AlwaysAllow',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'replace', path: `${API}/authorization-mode`, value: 'AlwaysAllow' }])}/0: authorization-mode "AlwaysAllow"`,
  },
  {
    name: 'disable-admission-plugins is set',
    id: '1.2.9–14',
    title: 'no AlwaysAdmit',
    change: (o) => {
      set(cp(o), `${API}/disable-admission-plugins`, 'PodSecurity');
      return `${cpName(o)} ${API}/disable-admission-plugins: disable-admission-plugins="PodSecurity" is set`;
    },
  },
  {
    name: 'AlwaysAdmit is enabled',
    id: '1.2.9–14',
    title: 'no AlwaysAdmit',
    change: (o) => {
      set(cp(o), `${API}/enable-admission-plugins`, 'NodeRestriction,AlwaysAdmit');
      return `${cpName(o)} ${API}/enable-admission-plugins: enable-admission-plugins "NodeRestriction,AlwaysAdmit"`;
    },
  },
  {
    name: 'a patch sets scheduler profiling to "true"',
    id: '1.2.15, 1.3.2, 1.4.1',
    title: 'no profiling other than',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'replace', path: `${SCH}/profiling`, value: 'true' }])}/0: profiling "true"`,
  },
  {
    name: 'a patch sets controller-manager profiling from a variable',
    id: '1.2.15, 1.3.2, 1.4.1',
    title: 'no profiling other than',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'add', path: `${CM}/profiling`, valueFrom: { variable: 'imageName' } }])}/0: profiling comes from a variable`,
  },
  {
    name: 'a patch replaces the whole scheduler extraArgs with profiling on',
    id: '1.2.15, 1.3.2, 1.4.1',
    title: 'no profiling other than',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'replace', path: SCH, value: { profiling: 'true' } }])}/0 (value/profiling): profiling "true"`,
  },
  {
    name: 'etcd auto-tls is true',
    id: '2.1–2.7',
    title: 'auto-tls and peer-auto-tls never true',
    change: (o) => {
      set(cp(o), `${ETCD}/peer-auto-tls`, 'true');
      return `${cpName(o)} ${ETCD}/peer-auto-tls: peer-auto-tls "true"`;
    },
  },
  {
    name: 'the API server accepts a TLS_RSA cipher',
    id: '1.2.29, 2.1–2.7, 4.2.12',
    title: 'no TLS_RSA_* or CBC',
    change: (o) => {
      set(cp(o), `${API}/tls-cipher-suites`, `${String(get(cp(o), `${API}/tls-cipher-suites`))},TLS_RSA_WITH_AES_128_GCM_SHA256`);
      return `${cpName(o)} ${API}/tls-cipher-suites: tls-cipher-suites`;
    },
  },
  {
    name: 'a worker kubelet accepts a CBC cipher',
    id: '1.2.29, 2.1–2.7, 4.2.12',
    title: 'no TLS_RSA_* or CBC',
    change: (o) => {
      const pointer = editFile(worker(o), W_FILES, KPATCH, (d) => (d.tlsCipherSuites = ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA']), 'json');
      return `${wName(o)} ${pointer} → /tlsCipherSuites/0: forbidden cipher "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"`;
    },
  },
  {
    name: 'anonymous-auth is in a worker kubeletExtraArgs',
    id: '4.2.x',
    title: 'no kubelet security flags',
    change: (o) => {
      set(worker(o), '/spec/template/spec/joinConfiguration/nodeRegistration/kubeletExtraArgs/anonymous-auth', 'true');
      return `${wName(o)} /spec/template/spec/joinConfiguration/nodeRegistration/kubeletExtraArgs/anonymous-auth: kubelet flag anonymous-auth="true" overrides`;
    },
  },
  {
    name: 'a patch puts read-only-port into the init kubeletExtraArgs',
    id: '4.2.x',
    title: 'no kubelet security flags',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'add', path: `${KCS}/initConfiguration/nodeRegistration/kubeletExtraArgs/read-only-port`, value: '10255' }])}/0: kubelet flag read-only-port="10255"`,
  },
  {
    name: "kubeadm's TLS certificate is overridden",
    id: '1.2.21–26',
    title: "kubeadm's etcd/TLS/client-CA flags",
    change: (o) => {
      set(cp(o), `${API}/tls-cert-file`, '/etc/kubernetes/other.crt');
      return `${cpName(o)} ${API}/tls-cert-file: tls-cert-file is kubeadm's`;
    },
  },
  {
    name: 'the controller manager disables RotateKubeletServerCertificate',
    id: '1.3.6',
    title: 'RotateKubeletServerCertificate',
    change: (o) => {
      set(cp(o), `${CM}/feature-gates`, 'SomeGate=true,RotateKubeletServerCertificate=false');
      return `${cpName(o)} ${CM}/feature-gates: feature-gates "SomeGate=true,RotateKubeletServerCertificate=false"`;
    },
  },
  {
    name: 'a kubelet patch disables RotateKubeletServerCertificate',
    id: '1.3.6',
    title: 'RotateKubeletServerCertificate',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, KPATCH, (d) => (d.featureGates = { RotateKubeletServerCertificate: false }), 'json');
      return `${cpName(o)} ${pointer} → /featureGates/RotateKubeletServerCertificate: false`;
    },
  },

  // 3. file arguments
  {
    name: 'the audit policy volume is removed',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      remove(cp(o), `${VOLUMES}/1`);
      return `${cpName(o)} ${API}/audit-policy-file: /etc/kubernetes/audit/audit-policy.yaml is on no extraVolumes mount of apiServer`;
    },
  },
  {
    name: 'the admission configuration file is removed',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      remove(cp(o), `${CP_FILES}/${fileIndex(cp(o), CP_FILES, '/etc/kubernetes/admission/admission-config.yaml')}`);
      return `${cpName(o)} ${API}/admission-control-config-file: /etc/kubernetes/admission/admission-config.yaml has no files[] entry`;
    },
  },
  {
    name: 'the EventRateLimit file the admission configuration names is removed',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      remove(cp(o), `${CP_FILES}/${fileIndex(cp(o), CP_FILES, '/etc/kubernetes/admission/event-rate-limit.yaml')}`);
      return `${cpName(o)} ${CP_FILES}/0/content → /plugins/1/path: /etc/kubernetes/admission/event-rate-limit.yaml has no files[] entry`;
    },
  },
  {
    name: 'the audit policy is world-readable',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      set(cp(o), `${CP_FILES}/2/permissions`, '0644');
      return `${cpName(o)} ${CP_FILES}/2/permissions: audit-policy-file's file must be 0600, got "0644"`;
    },
  },
  {
    name: 'the authentication configuration has no volume',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      const v = list(cp(o), VOLUMES).findIndex((x) => isObject(x) && x.name === 'authentication');
      remove(cp(o), `${VOLUMES}/${v}`);
      return `${cpName(o)} ${API}/authentication-config: /etc/kubernetes/authentication/authentication-config.yaml is on no extraVolumes mount`;
    },
  },
  {
    name: 'authentication-config may point at a file no patch writes',
    id: 'N5',
    title: 'every file flag',
    change: (o) => {
      const i = patchIndex(o, 'authenticationConfig');
      const pointer = `/spec/patches/${i}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace('authentication-config-unrestricted.yaml', 'other.yaml'));
      return `${ccName(o)} /spec/patches/${i}/definitions/0/jsonPatches/0: /etc/kubernetes/authentication/other.yaml has no files[] entry`;
    },
  },
  {
    name: 'the unrestricted authentication configuration is written with the default variables',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    change: (o) => {
      const i = patchIndex(o, 'unrestrictedAnonymousAuth');
      set(o.clusterClass, `/spec/patches/${i}/enabledIf`, '{{ if .restrictAnonymousAuth }}true{{ end }}');
      return 'lets anonymous requests reach every endpoint, but is not written only when restrictAnonymousAuth is off';
    },
  },
  {
    name: 'the audit log volume is read-only',
    id: '1.2.16–19',
    title: 'audit log directory mounted',
    change: (o) => {
      set(cp(o), `${VOLUMES}/2/readOnly`, true);
      return `${cpName(o)} ${VOLUMES}/2/readOnly: the audit log volume must be writable`;
    },
  },
  {
    name: 'the encryption configuration is inline',
    id: '1.2.27–28',
    title: 'encryption configuration only via contentFrom.secret',
    change: (o) => {
      const i = patchIndex(o, 'encryptionAtRest');
      const op = `/spec/patches/${i}/definitions/0/jsonPatches/0`;
      set(o.clusterClass, op, { op: 'add', path: `${KCS}/files/-`, value: { path: '/etc/kubernetes/encryption/encryption-config.yaml', owner: 'root:root', permissions: '0600', content: 'kind: EncryptionConfiguration' } });
      return `${ccName(o)} ${op}/value/content: the encryption configuration is inline`;
    },
  },
  {
    name: 'no patch offers encryption at rest',
    id: '1.2.27–28',
    title: 'encryption configuration only via contentFrom.secret',
    change: (o) => {
      remove(o.clusterClass, `/spec/patches/${patchIndex(o, 'encryptionAtRest')}`);
      return `${ccName(o)} /spec/patches: no patch sets encryption-provider-config (N3)`;
    },
  },

  // 4. embedded files
  {
    name: 'PodSecurity enforces privileged',
    id: 'scs-0215/0217',
    title: 'PodSecurity enforces baseline',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/admission/admission-config.yaml', (d) => set(d, '/plugins/0/configuration/defaults/enforce', 'privileged'));
      return `${cpName(o)} ${pointer} → /plugins/0/configuration/defaults/enforce: expected "baseline", got "privileged"`;
    },
  },
  {
    name: 'PodSecurity exempts another namespace',
    id: 'scs-0215/0217',
    title: 'PodSecurity enforces baseline',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/admission/admission-config.yaml', (d) => set(d, '/plugins/0/configuration/exemptions/namespaces/-', 'default'));
      return `${cpName(o)} ${pointer} → /plugins/0/configuration/exemptions/namespaces: expected ["kube-system"]`;
    },
  },
  {
    name: 'EventRateLimit allows 50 qps',
    id: 'scs-0215/0217',
    title: 'EventRateLimit Server',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/admission/event-rate-limit.yaml', (d) => set(d, '/limits/0/qps', 50));
      return `${cpName(o)} ${pointer} → /limits/0/qps: expected 5000, got 50`;
    },
  },
  {
    name: 'secrets are logged with their bodies',
    id: '3.2.1–2',
    title: 'audit policy',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/audit/audit-policy.yaml', (d) => set(d, '/rules/3/level', 'RequestResponse'));
      return `${cpName(o)} ${pointer} → /rules/3/level: core/secrets logged at "RequestResponse", expected Metadata`;
    },
  },
  {
    name: 'a rule for some users logs secrets above Metadata',
    id: '3.2.1–2',
    title: 'audit policy',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/audit/audit-policy.yaml', (d) => list(d, '/rules').unshift({ level: 'Request', users: ['admin'], resources: [{ group: '', resources: ['secrets'] }] }));
      return `${cpName(o)} ${pointer} → /rules/0/level: secrets may be logged at "Request", above Metadata`;
    },
  },
  {
    name: 'RequestReceived is not omitted',
    id: '3.2.1–2',
    title: 'audit policy',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/audit/audit-policy.yaml', (d) => delete d.omitStages);
      return `${cpName(o)} ${pointer} → /omitStages: expected to include "RequestReceived"`;
    },
  },
  {
    name: 'exec is logged without its request',
    id: '3.2.1–2',
    title: 'audit policy',
    change: (o) => {
      const pointer = editFile(cp(o), CP_FILES, '/etc/kubernetes/audit/audit-policy.yaml', (d) => set(d, '/rules/4/level', 'Metadata'));
      return `${cpName(o)} ${pointer} → /rules/4/level: core/pods/exec logged at "Metadata", expected Request or RequestResponse`;
    },
  },
  {
    name: 'anonymous requests may reach /metrics',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    change: (o) => {
      const pointer = `${CP_FILES}/${fileIndex(cp(o), CP_FILES, AUTHN)}/content`;
      set(cp(o), pointer, String(get(cp(o), pointer)).replace('- path: /healthz', '- path: /metrics'));
      return `${cpName(o)} ${pointer} → /anonymous/conditions: expected exactly /livez, /readyz, /healthz, /api/v1/namespaces/kube-public/configmaps/cluster-info`;
    },
  },
  {
    name: 'the template carries no AuthenticationConfiguration',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    change: (o) => {
      remove(cp(o), `${API}/authentication-config`);
      return `${cpName(o)} ${API}/authentication-config: expected the AuthenticationConfiguration in the template (N1 is on by default), got missing`;
    },
  },
  {
    name: 'the OIDC configuration lets anonymous requests reach /metrics',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    change: (o) => {
      const pointer = `/spec/patches/${patchIndex(o, 'oidcConfig')}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace('/healthz', '/metrics'));
      return `${ccName(o)} ${pointer} → /anonymous/conditions: expected exactly /livez, /readyz, /healthz, /api/v1/namespaces/kube-public/configmaps/cluster-info, got /livez, /readyz, /metrics`;
    },
  },
  {
    name: 'the OIDC configuration drops the anonymous restriction',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    change: (o) => {
      const pointer = `/spec/patches/${patchIndex(o, 'oidcConfig')}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace(/\{\{ ternary .*? \.restrictAnonymousAuth \}\}/, ''));
      return `${ccName(o)} ${pointer}: no anonymous section switched by restrictAnonymousAuth alone`;
    },
  },
  {
    name: 'Kubernetes 1.32 gets an AuthenticationConfiguration it does not serve',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    base: bundle('docker/scs', '1.32'),
    change: (o) => {
      const pointer = `${CP_FILES}/${fileIndex(cp(o), CP_FILES, AUTHN)}/content`;
      set(cp(o), pointer, String(get(cp(o), pointer)).replace('apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1'));
      return `${cpName(o)} ${pointer} → /apiVersion: "apiserver.config.k8s.io/v1" is not served by Kubernetes 1.32`;
    },
  },
  {
    name: 'Kubernetes 1.33 gets an OIDC AuthenticationConfiguration it does not serve',
    id: '1.2.1',
    title: 'AuthenticationConfiguration',
    base: bundle('openstack/scs', '1.33'),
    change: (o) => {
      const pointer = `/spec/patches/${patchIndex(o, 'oidcConfig')}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace('apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1'));
      return `${ccName(o)} ${pointer}: apiVersion "apiserver.config.k8s.io/v1" is not served`;
    },
  },
  ...(
    [
      ['4.2.1–3', 'kubelet: anonymous auth off', '/authentication/anonymous/enabled', true, 'false'],
      ['4.2.5–7', 'streamingConnectionIdleTimeout', '/streamingConnectionIdleTimeout', '4h', '"5m"'],
      ['4.2.8', 'eventRecordQPS', '/eventRecordQPS', 0, 'a number > 0 (or the default 50)'],
      ['4.2.10–11', 'rotateCertificates', '/rotateCertificates', false, 'true'],
      ['4.2.12', 'kubelet TLS 1.2+', '/tlsMinVersion', 'VersionTLS10', '"VersionTLS12"'],
      ['4.2.13–14', 'podPidsLimit 4096', '/seccompDefault', false, 'true'],
    ] as const
  ).map(([id, title, field, value, expected]): Case => ({
    name: `a worker kubelet has ${field.slice(1)} ${JSON.stringify(value)}`,
    id,
    title,
    change: (o) => {
      const pointer = editFile(worker(o), W_FILES, KPATCH, (d) => set(d, field, value), 'json');
      return `${wName(o)} ${pointer} → ${field}: expected ${expected}, got ${JSON.stringify(value)}`;
    },
  })),
  {
    name: 'a later kubelet patch file opens the read-only port',
    id: '4.2.4',
    title: 'readOnlyPort 0',
    change: (o) => {
      list(cp(o), CP_FILES).push({ path: '/etc/kubernetes/patches/kubeletconfiguration9+strategic.json', owner: 'root:root', permissions: '0600', content: '{"readOnlyPort":10255}\n' });
      return `${cpName(o)} ${CP_FILES}/${list(cp(o), CP_FILES).length - 1}/content → /readOnlyPort: expected 0, got 10255`;
    },
  },
  {
    name: 'a sysctl differs',
    id: 'kernel',
    title: 'protectKernelDefaults',
    change: (o) => {
      const pointer = `${CP_FILES}/${fileIndex(cp(o), CP_FILES, SYSCTL)}/content`;
      set(cp(o), pointer, String(get(cp(o), pointer)).replace('vm.panic_on_oom = 0', 'vm.panic_on_oom = 1'));
      return `${cpName(o)} ${pointer}: expected vm.panic_on_oom = 0, got 1`;
    },
  },
  {
    name: 'a worker does not load the sysctls before kubeadm',
    id: 'kernel',
    title: 'protectKernelDefaults',
    change: (o) => {
      set(worker(o), '/spec/template/spec/preKubeadmCommands', []);
      return `${wName(o)} /spec/template/spec/preKubeadmCommands: no "sysctl --system" before kubeadm`;
    },
  },
  {
    name: 'a worker leaves the kubelet configuration readable',
    id: '4.1.1/4.1.9',
    title: 'chmod 600',
    change: (o) => {
      set(worker(o), '/spec/template/spec/postKubeadmCommands', []);
      return `${wName(o)} /spec/template/spec/postKubeadmCommands: no "chmod 600 /var/lib/kubelet/config.yaml"`;
    },
  },
  {
    name: 'kube-proxy metrics listen on every interface',
    id: '4.3.1',
    title: 'kube-proxy metricsBindAddress',
    change: (o) => {
      const pointer = `${CP_FILES}/3/content`;
      set(cp(o), pointer, String(get(cp(o), pointer)).replace('127.0.0.1:10249', '0.0.0.0:10249'));
      return `${cpName(o)} ${pointer} → #0/metricsBindAddress: expected "127.0.0.1:10249", got "0.0.0.0:10249"`;
    },
  },
  {
    name: 'nothing hands the kube-proxy configuration to kubeadm',
    id: '4.3.1',
    title: 'kube-proxy metricsBindAddress',
    change: (o) => {
      set(cp(o), `${KCS}/preKubeadmCommands`, list(cp(o), `${KCS}/preKubeadmCommands`).filter((c) => c !== 'bash /etc/kube-proxy-patch.sh'));
      return `${cpName(o)} ${KCS}/preKubeadmCommands: nothing hands /etc/kube-proxy-config.yaml to kubeadm`;
    },
  },

  // 5. identical on every node
  {
    name: 'the worker KPATCH differs from the control plane one',
    id: 'KPATCH',
    title: 'kubelet patch files identical',
    change: (o) => {
      const pointer = `${W_FILES}/${fileIndex(worker(o), W_FILES, KPATCH)}/content`;
      set(worker(o), pointer, JSON.stringify(JSON.parse(String(get(worker(o), pointer)))));
      return `${wName(o)} ${W_FILES}/0/content differs from ${cpName(o)} ${CP_FILES}/5/content`;
    },
  },
  {
    name: 'a kubelet trade-off patch reaches the control plane only',
    id: 'KPATCH',
    title: 'kubelet patch files identical',
    change: (o) => {
      const i = patchIndex(o, 'kubeletTradeOffs');
      remove(o.clusterClass, `/spec/patches/${i}/definitions/1`);
      return `patch 'kubeletTradeOffs' (${ccName(o)} /spec/patches/${i}/definitions/0/jsonPatches/0) writes different kubelet patches to ${cpName(o)} and worker class default-worker`;
    },
  },
  {
    name: 'a worker has no sysctl file',
    id: 'N4',
    title: 'sysctl file',
    change: (o) => {
      remove(worker(o), `${W_FILES}/${fileIndex(worker(o), W_FILES, SYSCTL)}`);
      return `${wName(o)} ${W_FILES}: no ${SYSCTL} (${cpName(o)} ${CP_FILES}/6 has it)`;
    },
  },
  {
    name: 'the worker join reads patches from elsewhere',
    id: 'KPATCH',
    title: 'patches.directory',
    change: (o) => {
      set(worker(o), '/spec/template/spec/joinConfiguration/patches/directory', '/etc/kubernetes/other');
      return `${wName(o)} /spec/template/spec/joinConfiguration/patches/directory: expected "/etc/kubernetes/patches", got "/etc/kubernetes/other"`;
    },
  },
  {
    name: 'the control plane init has no patches directory',
    id: 'KPATCH',
    title: 'patches.directory',
    change: (o) => {
      remove(cp(o), `${KCS}/initConfiguration/patches`);
      return `${cpName(o)} ${KCS}/initConfiguration/patches/directory: expected "/etc/kubernetes/patches", got missing`;
    },
  },

  // 6. sizes
  {
    name: 'a file is larger than the CRD allows',
    id: 'N8',
    title: 'every files[].content at most',
    change: (o) => {
      const pointer = `${CP_FILES}/2/content`;
      set(cp(o), pointer, `${String(get(cp(o), pointer))}# ${'x'.repeat(10240)}\n`);
      return `${cpName(o)} ${pointer}: ${String(get(cp(o), pointer)).length} characters, more than 10240`;
    },
  },

  {
    name: 'the files exceed the user-data budget',
    id: 'N8',
    title: 'user-data budget',
    change: (o) => {
      addBigFiles(o);
      return `${wName(o)} ${W_FILES}: 37296 characters of files (all patches enabled), more than the budget of 32767`;
    },
  },

  // 7. certificate rollout
  {
    name: 'rolloutBefore is dropped',
    id: 'scs-0215',
    title: 'rolloutBefore.certificatesExpiryDays',
    change: (o) => {
      remove(cp(o), '/spec/template/spec/rolloutBefore');
      return `${cpName(o)} /spec/template/spec/rolloutBefore/certificatesExpiryDays: expected 60, got missing`;
    },
  },

  // 8. N-variables
  {
    name: 'restrictAnonymousAuth defaults to false',
    id: 'N1',
    title: 'restrictAnonymousAuth defaults',
    change: (o) => {
      const v = `/spec/variables/${variableIndex(o, 'restrictAnonymousAuth')}/schema/openAPIV3Schema/default`;
      set(o.clusterClass, v, false);
      return `${ccName(o)} ${v}: expected the safe default true, got false`;
    },
  },
  {
    name: 'authentication-config ignores OIDC',
    id: 'N1',
    title: 'restrictAnonymousAuth defaults',
    change: (o) => {
      const i = patchIndex(o, 'authenticationConfig');
      set(o.clusterClass, `/spec/patches/${i}/enabledIf`, '{{ if not .restrictAnonymousAuth }}true{{ end }}');
      return `${ccName(o)} /spec/patches/${i}/enabledIf: not enabled when OIDC is on`;
    },
  },
  {
    name: 'authentication-config never names the OIDC file',
    id: 'N1',
    title: 'restrictAnonymousAuth defaults',
    change: (o) => {
      const i = patchIndex(o, 'authenticationConfig');
      const pointer = `/spec/patches/${i}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace('authentication-config-oidc.yaml', 'authentication-config-unrestricted.yaml'));
      return `${ccName(o)} /spec/patches/${i}/definitions: patch authenticationConfig never points authentication-config at "/etc/kubernetes/authentication/authentication-config-oidc.yaml"`;
    },
  },
  {
    name: 'the OIDC flags come back beside authentication-config',
    id: 'N1',
    title: 'no --oidc-* flags',
    change: (o) => `${addPatch(o, 'legacyOidc', CP_SELECTOR, [{ op: 'add', path: `${API}/oidc-issuer-url`, valueFrom: { variable: 'oidcConfig.issuerURL' } }], '{{ if .oidcConfig }}true{{ end }}')}/0: oidc-issuer-url is set`,
  },
  {
    name: 'kubeletServingCertificates defaults to false',
    id: 'N2',
    title: 'kubeletServingCertificates defaults',
    change: (o) => {
      const v = `/spec/variables/${variableIndex(o, 'kubeletServingCertificates')}/schema/openAPIV3Schema/default`;
      set(o.clusterClass, v, false);
      return `${ccName(o)} ${v}: expected the safe default true, got false`;
    },
  },
  {
    name: 'metrics-server skips kubelet TLS verification regardless of kubeletServingCertificates',
    id: 'N2',
    title: 'kubeletServingCertificates defaults',
    change: (o) => {
      const path = 'cluster-addon/metrics-server/values.yaml';
      Object.assign(o, { addonFiles: { ...o.addonFiles, [path]: `${o.addonFiles[path]}  args:\n    - --kubelet-insecure-tls\n` } });
      return `${path}: --kubelet-insecure-tls regardless of kubeletServingCertificates`;
    },
  },
  {
    name: 'encryptionAtRestSecretName names a Secret by default',
    id: 'N3',
    title: 'encryptionAtRestSecretName defaults',
    change: (o) => {
      const v = `/spec/variables/${variableIndex(o, 'encryptionAtRestSecretName')}/schema/openAPIV3Schema/default`;
      set(o.clusterClass, v, 'shared-key');
      return `${ccName(o)} ${v}: expected the safe default "", got "shared-key"`;
    },
  },
  {
    name: 'the metrics patch is on by default',
    id: 'N7',
    title: 'exposeControlPlaneMetrics defaults',
    change: (o) => {
      const i = patchIndex(o, 'exposeControlPlaneMetrics');
      set(o.clusterClass, `/spec/patches/${i}/enabledIf`, '{{ if not .exposeControlPlaneMetrics }}true{{ end }}');
      return `${ccName(o)} /spec/patches/${i}/enabledIf: enabled with the default variables`;
    },
  },
  {
    name: 'the AlwaysPullImages patch is missing',
    id: 'N9',
    title: 'admissionAlwaysPullImages defaults',
    change: (o) => {
      remove(o.clusterClass, `/spec/patches/${patchIndex(o, 'admissionAlwaysPullImages')}`);
      return `${ccName(o)} /spec/patches: no patch admissionAlwaysPullImages`;
    },
  },
  {
    name: 'serviceAccountExtendTokenExpiration is a string',
    id: 'N9',
    title: 'serviceAccountExtendTokenExpiration defaults',
    change: (o) => {
      const v = `/spec/variables/${variableIndex(o, 'serviceAccountExtendTokenExpiration')}/schema/openAPIV3Schema/type`;
      set(o.clusterClass, v, 'string');
      return `${ccName(o)} ${v}: expected "boolean", got "string"`;
    },
  },
  {
    name: 'the trade-off condition compares the pid limit with an integer (Cluster API passes numbers as float64)',
    id: 'N9',
    title: 'kubeletPodPidsLimit defaults',
    change: (o) => {
      const i = patchIndex(o, 'kubeletTradeOffs');
      set(o.clusterClass, `/spec/patches/${i}/enabledIf`, '{{ if or (ne .kubeletPodPidsLimit 4096) (not .kubeletSeccompDefault) (ne .kubeletStreamingConnectionIdleTimeoutMinutes 5.0) }}true{{ end }}');
      return `${ccName(o)} /spec/patches/${i}/enabledIf: "{{ if or (ne .kubeletPodPidsLimit 4096)`;
    },
  },
  {
    name: 'kubeletSeccompDefault is not declared',
    id: 'N9',
    title: 'kubeletSeccompDefault defaults',
    change: (o) => {
      remove(o.clusterClass, `/spec/variables/${variableIndex(o, 'kubeletSeccompDefault')}`);
      return `${ccName(o)} /spec/variables: no variable kubeletSeccompDefault`;
    },
  },
  {
    name: 'the trade-off patch does not reach the workers',
    id: 'N9',
    title: 'kubeletStreamingConnectionIdleTimeoutMinutes defaults',
    change: (o) => {
      const i = patchIndex(o, 'kubeletTradeOffs');
      remove(o.clusterClass, `/spec/patches/${i}/definitions/1`);
      return `${ccName(o)} /spec/patches/${i}/definitions: patch kubeletTradeOffs does not reach worker class default-worker`;
    },
  },
  {
    name: 'another patch relaxes a hardened flag',
    id: 'N1–N9',
    title: 'only the N-variable patches',
    change: (o) => {
      const i = patchIndex(o, 'certSANs');
      list(o.clusterClass, `/spec/patches/${i}/definitions/0/jsonPatches`).push({ op: 'replace', path: `${API}/request-timeout`, value: '1h' });
      return `${ccName(o)} /spec/patches/${i}/definitions/0/jsonPatches/1: patch 'certSANs' replaces hardened ${API}/request-timeout`;
    },
  },
  {
    name: 'another patch adds a kubelet patch file to the workers',
    id: 'N1–N9',
    title: 'only the N-variable patches',
    change: (o) =>
      `${addPatch(o, 'evil', W_SELECTOR, [{ op: 'add', path: `${W_FILES}/-`, value: { path: '/etc/kubernetes/patches/kubeletconfiguration5+strategic.json', content: '{}' } }], '{{ if .imageRepository }}true{{ end }}')}/0: patch 'evil' adds /etc/kubernetes/patches/kubeletconfiguration5+strategic.json`,
  },
  {
    name: 'another patch replaces every control plane file',
    id: 'N1–N9',
    title: 'only the N-variable patches',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'replace', path: CP_FILES, value: [] }])}/0: patch 'evil' replaces hardened ${CP_FILES}`,
  },
  {
    name: 'another patch replaces the API server configuration',
    id: 'N1–N9',
    title: 'only the N-variable patches',
    change: (o) => `${addPatch(o, 'evil', CP_SELECTOR, [{ op: 'replace', path: `${KCS}/clusterConfiguration/apiServer`, value: {} }])}/0: patch 'evil' replaces ${KCS}/clusterConfiguration/apiServer, a parent of hardened`,
  },
  {
    name: 'no patch offers OIDC',
    id: 'scs-0217',
    title: 'OIDC',
    change: (o) => {
      remove(o.clusterClass, `/spec/patches/${patchIndex(o, 'oidcConfig')}`);
      return `${ccName(o)} /spec/patches: no patch behind oidcConfig writes an AuthenticationConfiguration with a JWT authenticator`;
    },
  },
  {
    name: 'the OIDC configuration ignores the issuer',
    id: 'scs-0217',
    title: 'OIDC',
    change: (o) => {
      const pointer = `/spec/patches/${patchIndex(o, 'oidcConfig')}/definitions/0/jsonPatches/0/valueFrom/template`;
      set(o.clusterClass, pointer, String(get(o.clusterClass, pointer)).replace('.oidcConfig.issuerURL', '"https://fixed.example"'));
      return `${ccName(o)} ${pointer}: does not read oidcConfig.issuerURL`;
    },
  },
];

describe('each check', () => {
  it.each(CASES.map((c) => [`${c.id} fails when ${c.name}`, c] as const))('%s', (_name, c) => {
    const o = copy(c.base ?? openstack);
    const expected = c.change(o);
    const r = result(run(o), c.id, c.title);
    expect(r.passed).toBe(false);
    expect(r.detail).toContain(expected);
    // The unchanged objects pass the same check.
    expect(result(run(c.base ?? openstack), c.id, c.title).passed).toBe(true);
  });

  it('has a failing case for every result', () => {
    const covered = new Set(CASES.map((c) => `${c.id} ${result(run(openstack), c.id, c.title).title}`));
    const missing = run(openstack).filter((r) => !covered.has(`${r.id} ${r.title}`)).map((r) => `${r.id} ${r.title}`);
    expect(missing).toEqual([]);
  });

  it('only warns when the files exceed the user-data budget', () => {
    const o = copy(openstack);
    addBigFiles(o);
    const r = result(run(o), 'N8', 'user-data budget');
    expect(r).toMatchObject({ passed: false, warning: true });
    expect(runStaticChecks(o).find((x) => x.title === r.title)?.status).toBe('warn');
    expect(runStaticChecks(o).filter((x) => x.status === 'fail')).toEqual([]);
  });

  it('does not change the objects it reads', () => {
    const o = copy(openstack);
    run(o);
    expect(o).toEqual(openstack);
  });
});
