import { describe as describeRequest, levelRank, matchingRules, type AuditRequest } from './audit-policy.ts';
import {
  ADMISSION_PLUGINS,
  ANONYMOUS_PATHS,
  CERTIFICATES_EXPIRY_DAYS,
  CLUSTER_CA,
  ECDHE_CIPHER_SUITES,
  FILES_BUDGET,
  FORBIDDEN_CIPHER,
  HARDENING_VARIABLES,
  KERNEL_SYSCTLS,
  KPATCH,
  KUBEADM_OWNED_API_FLAGS,
  KUBEADM_PATCHES_DIR,
  KUBELET_CONFIG_CHMOD,
  KUBELET_PATCH_FILE,
  KUBELET_SECURITY_FLAGS,
  KUBE_PROXY_METRICS_OVERRIDE,
  MAX_FILE_CONTENT,
  OIDC_VARIABLE,
  SYSCTL_FILE,
  SYSCTL_RELOAD,
  TLS_MIN_VERSION,
  USER_DATA_LIMIT,
  type HardeningVariable,
} from './baseline.ts';
import type { HardeningObjects } from './bundle-objects.ts';
import { conditionVariables, evaluateEnabledIf } from './go-condition.ts';
import { arrayAt, at, isObject, jsonEqual, ptr, show, stringAt, type Json, type JsonPath } from './json.ts';
import {
  bootstrapNodes,
  COMPONENTS,
  CP_FILES,
  EXTRA_ARGS,
  EXTRA_VOLUMES,
  extraArgs,
  fileContent,
  kubeadmManaged,
  kubeletFieldWhere,
  kubeletView,
  label,
  loc,
  nodeFiles,
  parseDocument,
  parseDocuments,
  patchFilesFor,
  resolvePodFile,
  ROLLOUT_BEFORE,
  templateVolumes,
  WORKER_FILES,
  type BootstrapNode,
  type Component,
  type PodComponent,
  variableDefaults,
} from './objects.ts';
import { isFileAdd, patchOperations, startsWith, type PatchOperation } from './patches.ts';
import { servedAuthenticationConfigurationVersions } from '../../constructs/hardening/authentication-versions.ts';

/** The outcome of one baseline item on one bundle. */
export interface CheckResult {
  /** The baseline item (hardening.md), e.g. `1.2.15` or `kernel`. */
  readonly id: string;
  readonly title: string;
  readonly passed: boolean;
  /** What was verified, or every problem with the object and JSON path it was found at. */
  readonly detail: string;
  /** A failure is only a warning (the user-data budget). */
  readonly warning?: boolean;
}

/** One of the baseline's "static checks the tests should make". */
export interface StaticCheck {
  readonly number: number;
  readonly name: string;
  readonly run: (o: HardeningObjects) => CheckResult[];
}

function outcome(id: string, title: string, problems: readonly string[], ok: string, warning = false): CheckResult {
  return { id, title, passed: problems.length === 0, detail: problems.length === 0 ? ok : problems.join('; '), ...(warning ? { warning: true } : {}) };
}

const argPath = (component: Component, key: string): JsonPath => [...EXTRA_ARGS[component], key];

function expectArg(o: HardeningObjects, component: Component, key: string, expected: string): string | undefined {
  const path = argPath(component, key);
  const value = at(o.controlPlane, path);
  return value === expected ? undefined : `${loc(o.controlPlane, path)}: expected ${show(expected)}, got ${show(value)}`;
}

const isFileFlag = (key: string): boolean => /-(file|config)$/.test(key);

/** Every occurrence of a component flag, in the templates and in patch values. */
interface ArgUse {
  readonly component: Component | 'kubelet';
  readonly key: string;
  /** undefined when the value comes from a variable or template that is not static. */
  readonly value: Json | undefined;
  readonly where: string;
}

/** Every (path, value) below a patch value, so patches adding whole objects are seen too. */
function flatten(path: readonly string[], value: Json | undefined): { path: string[]; value: Json | undefined }[] {
  const out: { path: string[]; value: Json | undefined }[] = [{ path: [...path], value }];
  if (isObject(value)) for (const [k, v] of Object.entries(value)) out.push(...flatten([...path, k], v));
  return out;
}

function argUses(o: HardeningObjects, ops: readonly PatchOperation[]): ArgUse[] {
  const uses: ArgUse[] = [];
  for (const component of COMPONENTS) {
    for (const [key, value] of Object.entries(extraArgs(o, component))) uses.push({ component, key, value, where: loc(o.controlPlane, argPath(component, key)) });
  }
  for (const node of bootstrapNodes(o)) {
    for (const config of node.configs) {
      const path = [...node.base, config, 'nodeRegistration', 'kubeletExtraArgs'];
      const args = at(node.object, path);
      if (isObject(args)) for (const [key, value] of Object.entries(args)) uses.push({ component: 'kubelet', key, value, where: loc(node.object, [...path, key]) });
    }
  }
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'replace') continue;
    const dynamic = op.variable !== undefined || (op.template !== undefined && op.value === undefined);
    for (const { path, value } of flatten(op.path, op.value)) {
      const suffix = path.slice(op.path.length).map((s) => `/${s}`).join('');
      const where = `${op.where}${suffix ? ` (value${suffix})` : ''}`;
      const v = dynamic && path.length === op.path.length ? undefined : value;
      if (op.selectorKind === 'KubeadmControlPlaneTemplate') {
        for (const component of COMPONENTS) {
          const base = EXTRA_ARGS[component];
          if (path.length === base.length + 1 && startsWith(path, base)) uses.push({ component, key: path[base.length], value: v, where });
        }
      }
      const k = path.indexOf('kubeletExtraArgs');
      if (k > 0 && path[k - 1] === 'nodeRegistration' && path.length === k + 2) uses.push({ component: 'kubelet', key: path[k + 1], value: v, where });
    }
  }
  return uses;
}

/** Kubelet patch files in the templates and in patch values, parsed where they are static. */
function kubeletPatchDocuments(o: HardeningObjects, ops: readonly PatchOperation[]): { doc: Json; where: string }[] {
  const out: { doc: Json; where: string }[] = [];
  for (const node of bootstrapNodes(o)) {
    for (const s of kubeletView(node).sources) out.push({ doc: s.patch, where: loc(node.object, [...s.file.path, 'content']) });
  }
  for (const op of ops) {
    if (!(isFileAdd(op, CP_FILES) || isFileAdd(op, WORKER_FILES))) continue;
    const path = stringAt(op.value, ['path']);
    const content = stringAt(op.value, ['content']);
    if (path === undefined || content === undefined || !KUBELET_PATCH_FILE.test(path)) continue;
    const parsed = parseDocument(content, `${op.where}/value/content`);
    if ('doc' in parsed) out.push({ doc: parsed.doc, where: `${op.where}/value/content` });
  }
  return out;
}

// ---------------------------------------------------------------------------
// 1. exact extraArgs, as strings
// ---------------------------------------------------------------------------

const EXACT_ARGS: readonly { readonly id: string; readonly title: string; readonly args: readonly (readonly [Component, string, string])[] }[] = [
  { id: '1.2.6–8', title: 'API server authorization-mode Node,RBAC', args: [['apiServer', 'authorization-mode', 'Node,RBAC']] },
  { id: '1.2.15', title: 'API server profiling=false', args: [['apiServer', 'profiling', 'false']] },
  {
    id: '1.2.16–19',
    title: 'audit log at /var/log/kubernetes/audit/audit.log, 30 days, 10 backups, 100 MB',
    args: [
      ['apiServer', 'audit-log-path', '/var/log/kubernetes/audit/audit.log'],
      ['apiServer', 'audit-log-maxage', '30'],
      ['apiServer', 'audit-log-maxbackup', '10'],
      ['apiServer', 'audit-log-maxsize', '100'],
    ],
  },
  {
    id: '1.2.20, scs-0215',
    title: 'request-timeout 60s, in-flight limits 400/200, min-request-timeout 1800',
    args: [
      ['apiServer', 'request-timeout', '60s'],
      ['apiServer', 'max-requests-inflight', '400'],
      ['apiServer', 'max-mutating-requests-inflight', '200'],
      ['apiServer', 'min-request-timeout', '1800'],
    ],
  },
  { id: '1.2.21–26', title: 'service-account-lookup=true', args: [['apiServer', 'service-account-lookup', 'true']] },
  {
    id: '1.2.29',
    title: 'API server TLS 1.2+ with the six ECDHE suites',
    args: [
      ['apiServer', 'tls-min-version', TLS_MIN_VERSION],
      ['apiServer', 'tls-cipher-suites', ECDHE_CIPHER_SUITES.join(',')],
    ],
  },
  { id: '1.2.30', title: 'service-account-extend-token-expiration=false', args: [['apiServer', 'service-account-extend-token-expiration', 'false']] },
  { id: '1.3.1', title: 'terminated-pod-gc-threshold=1000', args: [['controllerManager', 'terminated-pod-gc-threshold', '1000']] },
  {
    id: '1.3.2, 1.4.1',
    title: 'controller-manager and scheduler profiling=false',
    args: [
      ['controllerManager', 'profiling', 'false'],
      ['scheduler', 'profiling', 'false'],
    ],
  },
  { id: '1.3.3', title: 'use-service-account-credentials=true', args: [['controllerManager', 'use-service-account-credentials', 'true']] },
  {
    id: '1.3.7, 1.4.2',
    title: 'controller-manager and scheduler bind to 127.0.0.1',
    args: [
      ['controllerManager', 'bind-address', '127.0.0.1'],
      ['scheduler', 'bind-address', '127.0.0.1'],
    ],
  },
  {
    id: '2.1–2.7',
    title: 'etcd client/peer cert auth, no auto TLS, ECDHE suites, metrics on loopback',
    args: [
      ['etcd', 'client-cert-auth', 'true'],
      ['etcd', 'peer-client-cert-auth', 'true'],
      ['etcd', 'auto-tls', 'false'],
      ['etcd', 'peer-auto-tls', 'false'],
      ['etcd', 'cipher-suites', ECDHE_CIPHER_SUITES.join(',')],
      ['etcd', 'listen-metrics-urls', 'http://127.0.0.1:2381'],
    ],
  },
  {
    id: 'scs-0215',
    title: 'etcd periodic auto-compaction every 8h',
    args: [
      ['etcd', 'auto-compaction-mode', 'periodic'],
      ['etcd', 'auto-compaction-retention', '8h'],
    ],
  },
];

/** The extraArgs keys the baseline sets; patches touching them are checked in 8. */
const HARDENED_ARGS: readonly (readonly [Component, string])[] = [
  ...EXACT_ARGS.flatMap((e) => e.args.map(([c, k]) => [c, k] as const)),
  ['apiServer', 'enable-admission-plugins'],
  ['apiServer', 'admission-control-config-file'],
  ['apiServer', 'audit-policy-file'],
  ['apiServer', 'kubelet-certificate-authority'],
  ['apiServer', 'authentication-config'],
  ['apiServer', 'encryption-provider-config'],
  ['apiServer', 'anonymous-auth'],
  ['apiServer', 'feature-gates'],
  ['controllerManager', 'feature-gates'],
];

const CSR_APPROVER = 'kubelet-csr-approver';
const CSR_TOLERATIONS = ['node-role.kubernetes.io/control-plane', 'node.cloudprovider.kubernetes.io/uninitialized'];

/** Tolerations anywhere in an addon's values (the upstream chart's values are nested under its name). */
function tolerationKeys(values: Json | undefined): string[] {
  if (Array.isArray(values)) return values.flatMap(tolerationKeys);
  if (!isObject(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => (k === 'tolerations' && Array.isArray(v) ? v.map((t) => stringAt(t, ['key']) ?? '') : tolerationKeys(v)));
}

/** Static check 1: the exact extraArgs of sections A and B, as strings. */
function checkExtraArgs(o: HardeningObjects): CheckResult[] {
  const ops = patchOperations(o);
  const results: CheckResult[] = [];

  const plugins: string[] = [];
  const p = expectArg(o, 'apiServer', 'enable-admission-plugins', ADMISSION_PLUGINS);
  if (p) plugins.push(p);
  for (const op of ops) {
    if (op.selectorKind !== 'KubeadmControlPlaneTemplate' || (op.op !== 'add' && op.op !== 'replace') || !jsonEqual([...op.path], [...argPath('apiServer', 'enable-admission-plugins')])) continue;
    const value = op.value;
    const list = typeof value === 'string' ? value.split(',') : [];
    if (typeof value !== 'string' || list[0] !== 'NodeRestriction' || !ADMISSION_PLUGINS.split(',').every((x) => list.includes(x))) {
      plugins.push(`${op.where}: patch '${op.patch}' sets enable-admission-plugins to ${show(value)}; it must start with NodeRestriction and keep ${ADMISSION_PLUGINS}`);
    }
  }
  results.push(outcome('1.2.3, 1.2.9–14', `admission plugins ${ADMISSION_PLUGINS} (NodeRestriction first)`, plugins, `enable-admission-plugins=${ADMISSION_PLUGINS}`));

  // 1.2.5 only together with serving-certificate bootstrap on every node and a CSR approver.
  const ca: string[] = [];
  const caArg = expectArg(o, 'apiServer', 'kubelet-certificate-authority', CLUSTER_CA);
  if (caArg) ca.push(caArg);
  for (const node of bootstrapNodes(o)) {
    const view = kubeletView(node);
    if (view.config.serverTLSBootstrap !== true) ca.push(`${kubeletFieldWhere(node, view, ['serverTLSBootstrap'])}: kubelet-certificate-authority needs serverTLSBootstrap true, got ${show(view.config.serverTLSBootstrap)}`);
  }
  if (!o.addons.includes(CSR_APPROVER)) ca.push(`cluster-addon/${CSR_APPROVER}: the bundle ships no CSR approver addon`);
  else {
    const stage = o.addonStages.AfterControlPlaneInitialized ?? [];
    if (!stage.includes(CSR_APPROVER)) ca.push(`clusteraddon.yaml /addonStages/AfterControlPlaneInitialized: ${CSR_APPROVER} is not applied after the control plane is initialized`);
    const values = parseDocument(o.addonFiles[`cluster-addon/${CSR_APPROVER}/values.yaml`] ?? '', `cluster-addon/${CSR_APPROVER}/values.yaml`);
    const keys = 'doc' in values ? tolerationKeys(values.doc) : [];
    for (const key of CSR_TOLERATIONS) if (!keys.includes(key)) ca.push(`cluster-addon/${CSR_APPROVER}/values.yaml tolerations: no toleration for ${key}`);
  }
  results.push(outcome('1.2.5', 'kubelet-certificate-authority with serverTLSBootstrap on every node and a CSR approver addon', ca, `kubelet-certificate-authority=${CLUSTER_CA}, serverTLSBootstrap on every node, ${CSR_APPROVER} staged`));

  for (const e of EXACT_ARGS) {
    const problems = e.args.flatMap(([c, k, v]) => expectArg(o, c, k, v) ?? []);
    results.push(outcome(e.id, e.title, problems, e.args.map(([, k, v]) => `${k}=${v}`).join(', ')));
  }
  return results;
}

// ---------------------------------------------------------------------------
// 2. forbidden settings
// ---------------------------------------------------------------------------

function featureGateOff(gates: string, gate: string): boolean {
  return gates.split(',').some((g) => {
    const [k, v] = g.split('=').map((s) => s.trim());
    return k === gate && v?.toLowerCase() === 'false';
  });
}

/** Static check 2: settings that must appear nowhere, in templates or in patches. */
function checkForbiddenSettings(o: HardeningObjects): CheckResult[] {
  const ops = patchOperations(o);
  const uses = argUses(o, ops);
  const api = uses.filter((u) => u.component === 'apiServer');
  const problems = (pred: (u: ArgUse) => string | undefined, list: readonly ArgUse[] = uses) => list.flatMap((u) => {
    const p = pred(u);
    return p === undefined ? [] : [`${u.where}: ${p}`];
  });
  const dynamicOr = (u: ArgUse, bad: (v: string) => boolean, what: string): string | undefined =>
    u.value === undefined ? `${what} comes from a variable and cannot be verified` : typeof u.value !== 'string' || bad(u.value) ? `${what} ${show(u.value)}` : undefined;

  const results: CheckResult[] = [];
  results.push(outcome('1.2.2', 'no token-auth-file', problems((u) => (u.key === 'token-auth-file' ? 'token-auth-file is set' : undefined), api), 'no token-auth-file'));
  results.push(
    outcome('1.2.1', 'no API server anonymous-auth flag (N1: breaks probes and join, exclusive with authentication-config)', problems((u) => (u.key === 'anonymous-auth' ? `anonymous-auth=${show(u.value)} is set` : undefined), api), 'no anonymous-auth flag'),
  );
  results.push(
    outcome(
      'N1',
      'no --oidc-* flags (exclusive with authentication-config; OIDC goes into the AuthenticationConfiguration)',
      problems((u) => (u.key.startsWith('oidc-') ? `${u.key} is set` : undefined), api),
      'no --oidc-* flags',
    ),
  );
  results.push(
    outcome('1.2.6–8', 'no AlwaysAllow authorization', problems((u) => (u.key === 'authorization-mode' ? dynamicOr(u, (v) => v.split(',').includes('AlwaysAllow'), 'authorization-mode') : undefined), api), 'AlwaysAllow nowhere'),
  );
  results.push(
    outcome(
      '1.2.9–14',
      'no AlwaysAdmit, no disable-admission-plugins',
      problems((u) => (u.key === 'disable-admission-plugins' ? `disable-admission-plugins=${show(u.value)} is set` : u.key === 'enable-admission-plugins' ? dynamicOr(u, (v) => v.split(',').includes('AlwaysAdmit'), 'enable-admission-plugins') : undefined), api),
      'AlwaysAdmit and disable-admission-plugins nowhere',
    ),
  );
  results.push(
    outcome('1.2.15, 1.3.2, 1.4.1', 'no profiling other than "false"', problems((u) => (u.key === 'profiling' && u.component !== 'kubelet' ? dynamicOr(u, (v) => v !== 'false', 'profiling') : undefined)), 'every profiling flag is "false"'),
  );
  results.push(
    outcome('2.1–2.7', 'etcd auto-tls and peer-auto-tls never true', problems((u) => (u.component === 'etcd' && (u.key === 'auto-tls' || u.key === 'peer-auto-tls') ? dynamicOr(u, (v) => v !== 'false', u.key) : undefined)), 'etcd auto TLS off'),
  );

  const ciphers = problems((u) =>
    u.key === 'tls-cipher-suites' || u.key === 'cipher-suites' ? dynamicOr(u, (v) => v.split(',').some((c) => FORBIDDEN_CIPHER.test(c.trim())), `${u.key}`) : undefined,
  );
  for (const { doc, where } of kubeletPatchDocuments(o, ops)) {
    const suites = at(doc, ['tlsCipherSuites']);
    if (Array.isArray(suites)) for (const [i, s] of suites.entries()) if (typeof s !== 'string' || FORBIDDEN_CIPHER.test(s)) ciphers.push(`${where} → ${ptr(['tlsCipherSuites', i])}: forbidden cipher ${show(s)}`);
  }
  results.push(outcome('1.2.29, 2.1–2.7, 4.2.12', 'no TLS_RSA_* or CBC cipher suites', ciphers, 'no TLS_RSA_*/CBC suites anywhere'));

  results.push(
    outcome(
      '4.2.x',
      'no kubelet security flags in kubeletExtraArgs (they override the KubeletConfiguration)',
      problems((u) => (u.component === 'kubelet' && (KUBELET_SECURITY_FLAGS as readonly string[]).includes(u.key) ? `kubelet flag ${u.key}=${show(u.value)} overrides the kubelet configuration` : undefined)),
      'no kubelet security flags',
    ),
  );
  results.push(
    outcome(
      '1.2.21–26',
      "kubeadm's etcd/TLS/client-CA flags not overridden",
      problems((u) => ((KUBEADM_OWNED_API_FLAGS as readonly string[]).includes(u.key) ? `${u.key} is kubeadm's and must not be overridden` : undefined), api),
      "kubeadm's flags untouched",
    ),
  );

  const rotate = problems((u) => (u.key === 'feature-gates' ? dynamicOr(u, (v) => featureGateOff(v, 'RotateKubeletServerCertificate'), 'feature-gates') : undefined));
  for (const { doc, where } of kubeletPatchDocuments(o, ops)) {
    if (at(doc, ['featureGates', 'RotateKubeletServerCertificate']) === false) rotate.push(`${where} → /featureGates/RotateKubeletServerCertificate: false`);
  }
  results.push(outcome('1.3.6', 'RotateKubeletServerCertificate never disabled', rotate, 'RotateKubeletServerCertificate not disabled'));
  return results;
}

// ---------------------------------------------------------------------------
// 3. every file argument has a files[] entry and a mount
// ---------------------------------------------------------------------------

const POD_COMPONENTS: readonly PodComponent[] = ['apiServer', 'controllerManager', 'scheduler'];

/** Static check 3: every `*-file`/`*-config` flag has a 0600 files[] entry and an extraVolumes mount; the audit log directory; encryption from a Secret. */
function checkFileReferences(o: HardeningObjects): CheckResult[] {
  const ops = patchOperations(o);
  const problems: string[] = [];
  const checked: string[] = [];
  const verify = (component: PodComponent, key: string, value: Json | undefined, where: string, patchOps: readonly PatchOperation[]) => {
    if (typeof value !== 'string') {
      problems.push(`${where}: ${key} ${value === undefined ? 'comes from a variable and cannot be verified' : `is ${show(value)}, not a path`}`);
      return;
    }
    if (kubeadmManaged(value)) return;
    const file = resolvePodFile(o, component, value, where, patchOps);
    if ('problem' in file) {
      problems.push(file.problem);
      return;
    }
    checked.push(key);
    if (stringAt(file.entry, ['permissions']) !== '0600') problems.push(`${file.where}/permissions: ${key}'s file must be 0600, got ${show(at(file.entry, ['permissions']))}`);
    // Files a configuration file names (EventRateLimit's path in the admission configuration) need the same.
    const content = fileContent(file.entry);
    if (key === 'admission-control-config-file' && content !== undefined) {
      const parsed = parseDocument(content, `${file.where}/content`);
      if ('doc' in parsed) {
        for (const [i, plugin] of arrayAt(parsed.doc, ['plugins']).entries()) {
          const path = stringAt(plugin, ['path']);
          if (path === undefined) continue;
          const nested = resolvePodFile(o, component, path, `${file.where}/content → ${ptr(['plugins', i, 'path'])}`, patchOps);
          if ('problem' in nested) problems.push(nested.problem);
          else checked.push(path);
        }
      }
    }
  };
  for (const component of POD_COMPONENTS) {
    for (const [key, value] of Object.entries(extraArgs(o, component))) if (isFileFlag(key)) verify(component, key, value, loc(o.controlPlane, argPath(component, key)), []);
  }
  for (const op of ops) {
    if (op.selectorKind !== 'KubeadmControlPlaneTemplate' || (op.op !== 'add' && op.op !== 'replace')) continue;
    for (const component of POD_COMPONENTS) {
      const base = EXTRA_ARGS[component];
      if (op.path.length === base.length + 1 && startsWith(op.path, base) && isFileFlag(op.path[base.length])) {
        const key = op.path[base.length];
        // A template choosing between files: each must exist, written by this or another patch (the OIDC file).
        if (op.variable === undefined && op.value === undefined && op.template !== undefined) for (const p of templatePaths(op.template)) verify(component, key, p, op.where, ops);
        else verify(component, key, op.variable !== undefined ? undefined : op.value, op.where, ops.filter((x) => x.patch === op.patch));
      }
    }
  }
  const results = [outcome('N5', 'every file flag has a 0600 files[] entry and an extraVolumes mount', problems, `verified: ${[...new Set(checked)].join(', ')}`)];

  // 1.2.16–19: the audit log directory, writable.
  const audit: string[] = [];
  const logPath = at(o.controlPlane, argPath('apiServer', 'audit-log-path'));
  if (typeof logPath !== 'string') audit.push(`${loc(o.controlPlane, argPath('apiServer', 'audit-log-path'))}: missing`);
  else {
    const dir = logPath.slice(0, logPath.lastIndexOf('/'));
    const volume = templateVolumes(o, 'apiServer').find((v) => v.mountPath === dir || dir.startsWith(`${v.mountPath.replace(/\/$/, '')}/`));
    if (!volume) audit.push(`${loc(o.controlPlane, EXTRA_VOLUMES.apiServer)}: no volume mounts the audit log directory ${dir}`);
    else {
      if (volume.readOnly === true) audit.push(`${volume.where}/readOnly: the audit log volume must be writable`);
      if (volume.pathType !== 'DirectoryOrCreate') audit.push(`${volume.where}/pathType: expected "DirectoryOrCreate", got ${show(volume.pathType)}`);
    }
  }
  results.push(outcome('1.2.16–19', 'audit log directory mounted read-write (DirectoryOrCreate)', audit, 'audit log directory mounted writable'));

  // 1.2.27–28: encryption configuration only from a Secret, behind a variable.
  const encryption: string[] = [];
  const templateFlag = at(o.controlPlane, argPath('apiServer', 'encryption-provider-config'));
  if (templateFlag !== undefined) encryption.push(`${loc(o.controlPlane, argPath('apiServer', 'encryption-provider-config'))}: set in the template; it must come from a patch behind a variable naming the Secret`);
  const flagOps = ops.filter((op) => op.selectorKind === 'KubeadmControlPlaneTemplate' && op.op === 'add' && jsonEqual([...op.path], [...argPath('apiServer', 'encryption-provider-config')]));
  if (templateFlag === undefined && flagOps.length === 0) encryption.push(`ClusterClass/${stringAt(o.clusterClass, ['metadata', 'name'])} /spec/patches: no patch sets encryption-provider-config (N3)`);
  for (const op of flagOps) {
    if (op.enabledIf === undefined) encryption.push(`${op.where}: patch '${op.patch}' has no enabledIf; encryption must be behind a variable`);
    if (typeof op.value !== 'string') continue;
    const file = resolvePodFile(o, 'apiServer', op.value, op.where, ops.filter((x) => x.patch === op.patch));
    if ('problem' in file) {
      encryption.push(file.problem);
      continue;
    }
    if (at(file.entry, ['content']) !== undefined) encryption.push(`${file.where}/content: the encryption configuration is inline; it must come from contentFrom.secret`);
    if (stringAt(file.entry, ['contentFrom', 'secret', 'name']) === undefined || stringAt(file.entry, ['contentFrom', 'secret', 'key']) === undefined) {
      encryption.push(`${file.where}/contentFrom/secret: expected a Secret name and key, got ${show(at(file.entry, ['contentFrom']))}`);
    }
    if (stringAt(file.entry, ['permissions']) !== '0600') encryption.push(`${file.where}/permissions: expected "0600", got ${show(at(file.entry, ['permissions']))}`);
  }
  results.push(outcome('1.2.27–28', 'encryption configuration only via contentFrom.secret, 0600, mounted, behind a variable', encryption, 'encryption-provider-config from a Secret, behind a variable'));
  return results;
}

// ---------------------------------------------------------------------------
// 4. embedded files parse and carry the fields of the baseline
// ---------------------------------------------------------------------------

function flagFileDocument(o: HardeningObjects, key: string): { doc: Json; where: string } | { problem: string } {
  const path = argPath('apiServer', key);
  const value = at(o.controlPlane, path);
  if (typeof value !== 'string') return { problem: `${loc(o.controlPlane, path)}: expected a file path, got ${show(value)}` };
  const file = resolvePodFile(o, 'apiServer', value, loc(o.controlPlane, path));
  if ('problem' in file) return file;
  const content = fileContent(file.entry);
  if (content === undefined) return { problem: `${file.where}/content: missing` };
  const parsed = parseDocument(content, `${file.where}/content`);
  return 'problem' in parsed ? parsed : { doc: parsed.doc, where: `${file.where}/content` };
}

function expectField(doc: Json, where: string, field: JsonPath, expected: Json, problems: string[]): void {
  const value = at(doc, field);
  if (!jsonEqual(value, expected)) problems.push(`${where} → ${ptr(field)}: expected ${show(expected)}, got ${show(value)}`);
}

function admissionChecks(o: HardeningObjects): CheckResult[] {
  const podSecurity: string[] = [];
  const rateLimit: string[] = [];
  const config = flagFileDocument(o, 'admission-control-config-file');
  if ('problem' in config) {
    podSecurity.push(config.problem);
    rateLimit.push(config.problem);
  } else {
    const { doc, where } = config;
    expectField(doc, where, ['kind'], 'AdmissionConfiguration', podSecurity);
    const plugins = arrayAt(doc, ['plugins']);
    const index = (name: string) => plugins.findIndex((p) => stringAt(p, ['name']) === name);
    const ps = index('PodSecurity');
    if (ps < 0) podSecurity.push(`${where} → /plugins: no PodSecurity plugin`);
    else {
      const base: JsonPath = ['plugins', ps, 'configuration'];
      expectField(doc, where, [...base, 'defaults', 'enforce'], 'baseline', podSecurity);
      expectField(doc, where, [...base, 'defaults', 'audit'], 'restricted', podSecurity);
      expectField(doc, where, [...base, 'defaults', 'warn'], 'restricted', podSecurity);
      expectField(doc, where, [...base, 'exemptions', 'namespaces'], ['kube-system'], podSecurity);
      for (const k of ['usernames', 'runtimeClasses']) if (arrayAt(doc, [...base, 'exemptions', k]).length > 0) podSecurity.push(`${where} → ${ptr([...base, 'exemptions', k])}: expected no exemptions, got ${show(at(doc, [...base, 'exemptions', k]))}`);
    }
    const erl = index('EventRateLimit');
    if (erl < 0) rateLimit.push(`${where} → /plugins: no EventRateLimit plugin`);
    else {
      const path = stringAt(doc, ['plugins', erl, 'path']);
      let limits: { doc: Json; where: string } | undefined;
      if (isObject(at(doc, ['plugins', erl, 'configuration']))) limits = { doc: at(doc, ['plugins', erl, 'configuration']) ?? null, where: `${where} → ${ptr(['plugins', erl, 'configuration'])}` };
      else if (path !== undefined) {
        const file = resolvePodFile(o, 'apiServer', path, `${where} → ${ptr(['plugins', erl, 'path'])}`);
        if ('problem' in file) rateLimit.push(file.problem);
        else {
          const parsed = parseDocument(fileContent(file.entry) ?? '', `${file.where}/content`);
          if ('problem' in parsed) rateLimit.push(parsed.problem);
          else limits = { doc: parsed.doc, where: `${file.where}/content` };
        }
      } else rateLimit.push(`${where} → ${ptr(['plugins', erl])}: neither path nor configuration`);
      if (limits) {
        expectField(limits.doc, limits.where, ['kind'], 'Configuration', rateLimit);
        const server = arrayAt(limits.doc, ['limits']).findIndex((l) => stringAt(l, ['type']) === 'Server');
        if (server < 0) rateLimit.push(`${limits.where} → /limits: no Server limit`);
        else {
          expectField(limits.doc, limits.where, ['limits', server, 'qps'], 5000, rateLimit);
          expectField(limits.doc, limits.where, ['limits', server, 'burst'], 20000, rateLimit);
        }
      }
    }
  }
  return [
    outcome('scs-0215/0217', 'PodSecurity enforces baseline, audits and warns restricted, exempts only kube-system', podSecurity, 'PodSecurity baseline/restricted/restricted, kube-system exempt'),
    outcome('scs-0215/0217', 'EventRateLimit Server qps 5000, burst 20000', rateLimit, 'EventRateLimit Server 5000/20000'),
  ];
}

const AUDIT_EXPECTATIONS: readonly { readonly request: AuditRequest; readonly levels: readonly string[] }[] = [
  { request: { group: '', resource: 'secrets' }, levels: ['Metadata'] },
  { request: { group: '', resource: 'configmaps' }, levels: ['Metadata'] },
  { request: { group: 'authentication.k8s.io', resource: 'tokenreviews' }, levels: ['Metadata'] },
  ...['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'].map((resource) => ({ request: { group: '', resource }, levels: ['Request', 'RequestResponse'] })),
  ...['/healthz', '/livez', '/readyz'].map((url) => ({ request: { url }, levels: ['None'] })),
  { request: { group: '', resource: 'events' }, levels: ['None'] },
  { request: { group: 'events.k8s.io', resource: 'events' }, levels: ['None'] },
  { request: { group: 'coordination.k8s.io', resource: 'leases' }, levels: ['None'] },
  { request: { group: 'apps', resource: 'deployments' }, levels: ['Metadata'] },
];

function auditPolicyCheck(o: HardeningObjects): CheckResult {
  const problems: string[] = [];
  const policy = flagFileDocument(o, 'audit-policy-file');
  if ('problem' in policy) problems.push(policy.problem);
  else {
    const { doc, where } = policy;
    expectField(doc, where, ['apiVersion'], 'audit.k8s.io/v1', problems);
    expectField(doc, where, ['kind'], 'Policy', problems);
    if (!arrayAt(doc, ['omitStages']).includes('RequestReceived')) problems.push(`${where} → /omitStages: expected to include "RequestReceived", got ${show(at(doc, ['omitStages']))}`);
    for (const { request, levels } of AUDIT_EXPECTATIONS) {
      const matches = matchingRules(doc, request);
      const effective = matches.find((m) => !m.conditional);
      if (!effective) problems.push(`${where} → /rules: no rule applies to every ${describeRequest(request)} request (expected ${levels.join(' or ')})`);
      else if (!levels.includes(effective.level ?? '')) problems.push(`${where} → ${ptr(['rules', effective.index, 'level'])}: ${describeRequest(request)} logged at ${show(effective.level)}, expected ${levels.join(' or ')}`);
      // Never above Metadata for secrets, not even for some users or verbs.
      if ('resource' in request && request.resource === 'secrets') {
        for (const m of matches) if (levelRank(m.level) > levelRank('Metadata')) problems.push(`${where} → ${ptr(['rules', m.index, 'level'])}: secrets may be logged at ${show(m.level)}, above Metadata`);
      }
    }
    const rules = arrayAt(doc, ['rules']);
    const last = rules[rules.length - 1];
    const catchAll = isObject(last) && Object.keys(last).every((k) => k === 'level' || k === 'omitStages') && last.level === 'Metadata';
    if (!catchAll) problems.push(`${where} → ${ptr(['rules', rules.length - 1])}: the last rule must be a Metadata catch-all, got ${show(last)}`);
  }
  return outcome('3.2.1–2', 'audit policy: secrets at Metadata, exec/attach/proxy with bodies, noise dropped, Metadata catch-all', problems, 'audit policy as in the baseline');
}

/** The file paths a value template may render: the JSON string literals that are absolute paths. */
function templatePaths(template: string): string[] {
  return [...template.matchAll(/"(\/[^"\\{}]+)"/g)].map((m) => m[1]);
}

/** The patch operations that set authentication-config, with every path their value may take. */
function authenticationPatches(ops: readonly PatchOperation[]): { op: PatchOperation; paths: string[] }[] {
  const path = argPath('apiServer', 'authentication-config');
  return ops
    .filter((op) => op.selectorKind === 'KubeadmControlPlaneTemplate' && (op.op === 'add' || op.op === 'replace') && jsonEqual([...op.path], [...path]))
    .map((op) => ({
      op,
      // A template choosing between files names each of them as a JSON string literal.
      paths: typeof op.value === 'string' ? [op.value] : op.template !== undefined && op.variable === undefined ? templatePaths(op.template) : [],
    }));
}

/** The patch that writes the file at this host path. */
function fileSource(ops: readonly PatchOperation[], hostPath: string): PatchOperation | undefined {
  return ops.find((x) => x.selectorKind === 'KubeadmControlPlaneTemplate' && isFileAdd(x, CP_FILES) && stringAt(x.value, ['path']) === hostPath);
}

/** The patches behind oidcConfig that write an AuthenticationConfiguration from it. */
function oidcFiles(ops: readonly PatchOperation[]): PatchOperation[] {
  return ops.filter((x) => conditionVariables(x.enabledIf).includes(OIDC_VARIABLE) && isFileAdd(x, CP_FILES) && (x.template ?? '').includes('AuthenticationConfiguration'));
}

/**
 * Checks an AuthenticationConfiguration whose content a patch renders from
 * variables: the text must carry the anonymous section with exactly the
 * allowed paths, switched by restrictAnonymousAuth alone.
 */
function templatedAuthenticationProblems(template: string, where: string, served: readonly string[]): string[] {
  const problems: string[] = [];
  // The content is a JSON string inside the template's JSON, so its quotes appear as \".
  const apiVersion = /\\"apiVersion\\":\\"([^"\\]*)\\"/.exec(template)?.[1];
  if (!served.includes(apiVersion ?? '')) problems.push(`${where}: apiVersion ${show(apiVersion)} is not served (expected ${served.join(' or ')})`);
  if (!template.includes('\\"kind\\":\\"AuthenticationConfiguration\\"')) problems.push(`${where}: not an AuthenticationConfiguration`);
  const ternary = /\{\{ ternary ("(?:[^"\\]|\\.)*") "" \.restrictAnonymousAuth \}\}/.exec(template);
  if (!ternary) problems.push(`${where}: no anonymous section switched by restrictAnonymousAuth alone ({{ ternary "<anonymous>" "" .restrictAnonymousAuth }})`);
  else {
    try {
      // The Go literal → the escaped text it inserts into the content string → the inner JSON text.
      const inner = JSON.parse(`"${JSON.parse(ternary[1]) as string}"`) as string;
      problems.push(...anonymousProblems(JSON.parse(`{${inner.replace(/,$/, '')}}`) as Json, where));
    } catch {
      problems.push(`${where}: the anonymous section does not parse: ${ternary[1]}`);
    }
  }
  return problems;
}

function anonymousProblems(doc: Json, where: string): string[] {
  const problems: string[] = [];
  expectField(doc, where, ['anonymous', 'enabled'], true, problems);
  const paths = arrayAt(doc, ['anonymous', 'conditions']).map((c) => stringAt(c, ['path']) ?? show(c));
  if (paths.length !== ANONYMOUS_PATHS.length || !ANONYMOUS_PATHS.every((p) => paths.includes(p))) {
    problems.push(`${where} → /anonymous/conditions: expected exactly ${ANONYMOUS_PATHS.join(', ')}, got ${paths.join(', ') || 'none'}`);
  }
  return problems;
}

/** The AuthenticationConfiguration the template carries (N1 by default), and every file a patch may point the flag at. */
function authenticationCheck(o: HardeningObjects): CheckResult {
  const problems: string[] = [];
  const ops = patchOperations(o);
  const defaults = variableDefaults(o);
  const served = servedAuthenticationConfigurationVersions(o.minor);
  const header = (doc: Json, where: string) => {
    const apiVersion = stringAt(doc, ['apiVersion']);
    if (!served.includes(apiVersion ?? '')) problems.push(`${where} → /apiVersion: ${show(apiVersion)} is not served by Kubernetes ${o.minor} (expected ${served.join(' or ')})`);
    expectField(doc, where, ['kind'], 'AuthenticationConfiguration', problems);
  };
  const path = argPath('apiServer', 'authentication-config');
  const templateValue = at(o.controlPlane, path);
  if (typeof templateValue !== 'string') problems.push(`${loc(o.controlPlane, path)}: expected the AuthenticationConfiguration in the template (N1 is on by default), got ${show(templateValue)}`);
  else {
    const file = resolvePodFile(o, 'apiServer', templateValue, loc(o.controlPlane, path));
    if ('problem' in file) problems.push(file.problem);
    else {
      const parsed = parseDocument(fileContent(file.entry) ?? '', `${file.where}/content`);
      if ('problem' in parsed) problems.push(parsed.problem);
      else {
        header(parsed.doc, `${file.where}/content`);
        problems.push(...anonymousProblems(parsed.doc, `${file.where}/content`));
      }
    }
  }
  for (const { op, paths } of authenticationPatches(ops)) {
    if (paths.length === 0) problems.push(`${op.where}: authentication-config ${op.variable !== undefined ? 'comes from a variable and cannot be verified' : `is ${show(op.value)}, not a path`}`);
    for (const candidate of paths) {
      const file = resolvePodFile(o, 'apiServer', candidate, op.where, ops);
      if ('problem' in file) {
        problems.push(file.problem);
        continue;
      }
      const source = fileSource(ops, file.hostPath);
      if (source?.template !== undefined) {
        problems.push(...templatedAuthenticationProblems(source.template, `${source.where}/valueFrom/template`, served));
        continue;
      }
      const where = `${file.where}/content`;
      const parsed = parseDocument(fileContent(file.entry) ?? '', where);
      if ('problem' in parsed) {
        problems.push(parsed.problem);
        continue;
      }
      header(parsed.doc, where);
      if (anonymousProblems(parsed.doc, where).length === 0) continue;
      // The relaxation (N1): anonymous everywhere and nothing else, written only when restrictAnonymousAuth is off.
      if (!jsonEqual(at(parsed.doc, ['anonymous']), { enabled: true }) || at(parsed.doc, ['jwt']) !== undefined) problems.push(`${where} → /anonymous: expected the restriction or, for restrictAnonymousAuth false, exactly {"enabled":true}, got ${show(at(parsed.doc, ['anonymous']))}`);
      const enabledIf = source?.enabledIf;
      const r = evaluateEnabledIf(enabledIf, defaults);
      if (source === undefined || !conditionVariables(enabledIf).includes('restrictAnonymousAuth') || !r.ok || r.enabled) problems.push(`${where}: lets anonymous requests reach every endpoint, but is not written only when restrictAnonymousAuth is off (${show(enabledIf)})`);
    }
  }
  return outcome('1.2.1', 'AuthenticationConfiguration allows anonymous only to health endpoints and cluster-info, in the template and in every file a patch may point it at', problems, 'anonymous requests limited to /livez, /readyz, /healthz, cluster-info');
}

interface KubeletExpectation {
  readonly id: string;
  readonly title: string;
  readonly fields: readonly (readonly [JsonPath, (v: Json | undefined) => boolean, string])[];
}

const is = (expected: Json) => [(v: Json | undefined) => jsonEqual(v, expected), JSON.stringify(expected)] as const;

const KUBELET_EXPECTATIONS: readonly KubeletExpectation[] = [
  {
    id: '4.2.1–3',
    title: 'kubelet: anonymous auth off, webhook authentication and authorization, cluster CA',
    fields: [
      [['apiVersion'], ...is('kubelet.config.k8s.io/v1beta1')],
      [['kind'], ...is('KubeletConfiguration')],
      [['authentication', 'anonymous', 'enabled'], ...is(false)],
      [['authentication', 'webhook', 'enabled'], ...is(true)],
      [['authorization', 'mode'], ...is('Webhook')],
      [['authentication', 'x509', 'clientCAFile'], ...is(CLUSTER_CA)],
    ],
  },
  { id: '4.2.4', title: 'kubelet readOnlyPort 0', fields: [[['readOnlyPort'], ...is(0)]] },
  {
    id: '4.2.5–7',
    title: 'kubelet streamingConnectionIdleTimeout 5m, makeIPTablesUtilChains',
    fields: [
      [['streamingConnectionIdleTimeout'], ...is('5m')],
      [['makeIPTablesUtilChains'], ...is(true)],
    ],
  },
  { id: '4.2.8', title: 'kubelet eventRecordQPS > 0', fields: [[['eventRecordQPS'], (v) => v === undefined || (typeof v === 'number' && v > 0), 'a number > 0 (or the default 50)']] },
  {
    id: '4.2.10–11',
    title: 'kubelet rotateCertificates and serverTLSBootstrap',
    fields: [
      [['rotateCertificates'], ...is(true)],
      [['serverTLSBootstrap'], ...is(true)],
    ],
  },
  {
    id: '4.2.12',
    title: 'kubelet TLS 1.2+ with the six ECDHE suites',
    fields: [
      [['tlsMinVersion'], ...is(TLS_MIN_VERSION)],
      [['tlsCipherSuites'], ...is([...ECDHE_CIPHER_SUITES])],
    ],
  },
  {
    id: '4.2.13–14',
    title: 'kubelet podPidsLimit 4096, seccompDefault',
    fields: [
      [['podPidsLimit'], ...is(4096)],
      [['seccompDefault'], ...is(true)],
    ],
  },
];

function kubeletChecks(o: HardeningObjects): CheckResult[] {
  const nodes = bootstrapNodes(o);
  const views = nodes.map((node) => ({ node, view: kubeletView(node) }));
  const noKpatch = (node: BootstrapNode) => (nodeFiles(node).some((f) => f.filePath === KPATCH) ? [] : [`${loc(node.object, node.filesPath)}: no ${KPATCH}`]);
  const results = KUBELET_EXPECTATIONS.map((e) => {
    const problems = views.flatMap(({ node, view }) => [
      ...noKpatch(node),
      ...view.problems,
      ...e.fields.flatMap(([field, ok, expected]) => {
        const value = at(view.config, field);
        return ok(value) ? [] : [`${kubeletFieldWhere(node, view, field)}: expected ${expected}, got ${show(value)}`];
      }),
    ]);
    return outcome(e.id, e.title, [...new Set(problems)], `on ${nodes.map((n) => label(n.object)).join(', ')}`);
  });

  // kernel (N4): protectKernelDefaults with the sysctls it needs, set before the kubelet starts.
  const kernel: string[] = [];
  for (const { node, view } of views) {
    if (view.config.protectKernelDefaults !== true) kernel.push(`${kubeletFieldWhere(node, view, ['protectKernelDefaults'])}: expected true, got ${show(view.config.protectKernelDefaults)}`);
    const sysctl = nodeFiles(node).find((f) => f.filePath === SYSCTL_FILE);
    if (!sysctl) kernel.push(`${loc(node.object, node.filesPath)}: no ${SYSCTL_FILE}`);
    else {
      const values: Record<string, string> = {};
      for (const line of (fileContent(sysctl.entry) ?? '').split('\n')) {
        const m = /^\s*([a-z0-9_.]+)\s*=\s*(\S+)\s*$/.exec(line);
        if (m) values[m[1]] = m[2];
      }
      for (const [k, v] of Object.entries(KERNEL_SYSCTLS)) if (values[k] !== v) kernel.push(`${sysctl.where}/content: expected ${k} = ${v}, got ${values[k] ?? 'missing'}`);
    }
    const pre = [...node.base, 'preKubeadmCommands'];
    if (!arrayAt(node.object, pre).includes(SYSCTL_RELOAD)) kernel.push(`${loc(node.object, pre)}: no "${SYSCTL_RELOAD}" before kubeadm`);
  }
  results.push(outcome('kernel', 'protectKernelDefaults with the six sysctls applied before kubeadm', kernel, 'protectKernelDefaults with /etc/sysctl.d/90-kubelet.conf on every node'));

  const chmod: string[] = [];
  for (const node of nodes) {
    const post = [...node.base, 'postKubeadmCommands'];
    if (!arrayAt(node.object, post).some((c) => typeof c === 'string' && KUBELET_CONFIG_CHMOD.test(c))) chmod.push(`${loc(node.object, post)}: no "chmod 600 /var/lib/kubelet/config.yaml"`);
  }
  results.push(outcome('4.1.1/4.1.9', 'chmod 600 /var/lib/kubelet/config.yaml after kubeadm on every node', chmod, 'kubelet config.yaml 0600 on every node'));
  return results;
}

function kubeProxyCheck(o: HardeningObjects): CheckResult {
  const problems: string[] = [];
  const node = bootstrapNodes(o)[0];
  const found: { file: ReturnType<typeof nodeFiles>[number]; doc: Json; index: number }[] = [];
  for (const file of nodeFiles(node)) {
    const content = fileContent(file.entry);
    if (content === undefined || !content.includes('KubeProxyConfiguration')) continue;
    const parsed = parseDocuments(content, `${file.where}/content`);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    parsed.docs.forEach((doc, index) => {
      if (stringAt(doc, ['kind']) === 'KubeProxyConfiguration') found.push({ file, doc, index });
    });
  }
  if (found.length !== 1) problems.push(`${loc(node.object, node.filesPath)}: expected one KubeProxyConfiguration, found ${found.length}`);
  for (const { file, doc, index } of found) {
    const value = at(doc, ['metricsBindAddress']);
    if (value !== '127.0.0.1:10249') problems.push(`${file.where}/content → #${index}/metricsBindAddress: expected "127.0.0.1:10249", got ${show(value)}`);
    // Cluster API has no field for it: a pre-kubeadm command must hand the file to kubeadm init.
    const pre = [...node.base, 'preKubeadmCommands'];
    const commands = arrayAt(node.object, pre).filter((c): c is string => typeof c === 'string');
    const scripts = nodeFiles(node).filter((f) => (fileContent(f.entry) ?? '').includes(file.filePath) && commands.some((c) => c.includes(f.filePath)));
    if (!commands.some((c) => c.includes(file.filePath)) && scripts.length === 0) problems.push(`${loc(node.object, pre)}: nothing hands ${file.filePath} to kubeadm`);
  }
  return outcome('4.3.1', 'kube-proxy metricsBindAddress 127.0.0.1:10249', problems, 'kube-proxy metrics on 127.0.0.1:10249, appended to the init configuration');
}

/** Static check 4: the embedded files parse and carry the fields of the baseline. */
function checkEmbeddedFiles(o: HardeningObjects): CheckResult[] {
  return [...admissionChecks(o), auditPolicyCheck(o), authenticationCheck(o), ...kubeletChecks(o), kubeProxyCheck(o)];
}

// ---------------------------------------------------------------------------
// 5. KPATCH, sysctl file and patches.directory identical on every node
// ---------------------------------------------------------------------------

function compareFiles(a: BootstrapNode, b: BootstrapNode, select: (path: string) => boolean): string[] {
  const fa = nodeFiles(a).filter((f) => select(f.filePath));
  const fb = nodeFiles(b).filter((f) => select(f.filePath));
  const problems: string[] = [];
  for (const x of fa) {
    const y = fb.find((f) => f.filePath === x.filePath);
    if (!y) problems.push(`${loc(b.object, b.filesPath)}: no ${x.filePath} (${x.where} has it)`);
    else for (const k of ['content', 'permissions', 'owner', 'contentFrom']) if (!jsonEqual(at(x.entry, [k]), at(y.entry, [k]))) problems.push(`${y.where}/${k} differs from ${x.where}/${k}`);
  }
  for (const y of fb) if (!fa.some((f) => f.filePath === y.filePath)) problems.push(`${y.where}: ${y.filePath} is not on ${label(a.object)}`);
  return problems;
}

/** Static check 5: the kubelet patches, the sysctl file and patches.directory are the same in control-plane init, join and worker join. */
function checkNodeConsistency(o: HardeningObjects): CheckResult[] {
  const [cp, ...workers] = bootstrapNodes(o);
  const ops = patchOperations(o);
  const inPatches = (p: string) => p.startsWith(`${KUBEADM_PATCHES_DIR}/`);

  const kpatch: string[] = [];
  for (const node of [cp, ...workers]) if (!nodeFiles(node).some((f) => f.filePath === KPATCH)) kpatch.push(`${loc(node.object, node.filesPath)}: no ${KPATCH}`);
  for (const w of workers) kpatch.push(...compareFiles(cp, w, inPatches));
  // Variable-driven kubelet patches must reach every node alike.
  for (const name of [...new Set(ops.map((op) => op.patch))]) {
    const mine = ops.filter((op) => op.patch === name);
    const added = (node: BootstrapNode) =>
      patchFilesFor(node, mine)
        .filter(({ entry }) => inPatches(stringAt(entry, ['path']) ?? ''))
        .map(({ op }) => op);
    const onCp = added(cp);
    for (const w of workers) {
      for (const cls of w.classes ?? []) {
        const onW = added({ ...w, classes: [cls] });
        const key = (op: PatchOperation) => JSON.stringify(op.value ?? op.template ?? null);
        const a = onCp.map(key).sort();
        const b = onW.map(key).sort();
        if (!jsonEqual(a, b)) kpatch.push(`patch '${name}' (${(onCp[0] ?? onW[0]).where}) writes different kubelet patches to ${label(cp.object)} and worker class ${cls} of ${label(w.object)}`);
      }
    }
  }
  const results = [outcome('KPATCH', 'kubelet patch files identical in control-plane init/join and worker join, also when patched', kpatch, `${KUBEADM_PATCHES_DIR}/* identical on every node`)];

  const sysctl: string[] = [];
  for (const w of workers) {
    sysctl.push(...compareFiles(cp, w, (p) => p.startsWith('/etc/sysctl.d/')));
    const has = (n: BootstrapNode) => arrayAt(n.object, [...n.base, 'preKubeadmCommands']).includes(SYSCTL_RELOAD);
    if (has(cp) !== has(w)) sysctl.push(`${loc(w.object, [...w.base, 'preKubeadmCommands'])}: "${SYSCTL_RELOAD}" ${has(w) ? 'present' : 'missing'}, but ${has(cp) ? 'present' : 'missing'} on ${label(cp.object)}`);
  }
  results.push(outcome('N4', 'sysctl file and "sysctl --system" identical on every node', sysctl, 'sysctl configuration identical on every node'));

  const dirs: string[] = [];
  for (const node of [cp, ...workers]) {
    for (const config of node.configs) {
      const path = [...node.base, config, 'patches', 'directory'];
      const value = at(node.object, path);
      if (value !== KUBEADM_PATCHES_DIR) dirs.push(`${loc(node.object, path)}: expected ${show(KUBEADM_PATCHES_DIR)}, got ${show(value)}`);
    }
  }
  results.push(outcome('KPATCH', `patches.directory ${KUBEADM_PATCHES_DIR} in init, join and worker join`, dirs, `patches.directory ${KUBEADM_PATCHES_DIR} everywhere`));
  return results;
}

// ---------------------------------------------------------------------------
// 6. file size limits
// ---------------------------------------------------------------------------

/** Static check 6: files[].content within the CRD limit, and the files within the user-data budget (warning). */
function checkFileSizes(o: HardeningObjects): CheckResult[] {
  const ops = patchOperations(o);
  const limit: string[] = [];
  const budget: string[] = [];
  const totals: string[] = [];
  for (const node of bootstrapNodes(o)) {
    let total = 0;
    for (const f of nodeFiles(node)) {
      const n = fileContent(f.entry)?.length ?? 0;
      total += n;
      if (n > MAX_FILE_CONTENT) limit.push(`${f.where}/content: ${n} characters, more than ${MAX_FILE_CONTENT}`);
    }
    // Worst case: every patch that adds a file to this node is enabled.
    for (const { op, entry } of patchFilesFor(node, ops)) {
      const n = (entry ? stringAt(entry, ['content'])?.length : undefined) ?? op.template?.length ?? 0;
      total += n;
      if (n > MAX_FILE_CONTENT) limit.push(`${op.where}/value/content: ${n} characters, more than ${MAX_FILE_CONTENT}`);
    }
    totals.push(`${label(node.object)} ${total}`);
    if (total > FILES_BUDGET) budget.push(`${loc(node.object, node.filesPath)}: ${total} characters of files (all patches enabled), more than the budget of ${FILES_BUDGET} (${USER_DATA_LIMIT} bytes of user data less what Cluster API adds)`);
  }
  return [
    outcome('N8', `every files[].content at most ${MAX_FILE_CONTENT} characters`, limit, `largest within ${MAX_FILE_CONTENT}`),
    outcome('N8', `files within the user-data budget (${FILES_BUDGET} characters per node)`, budget, totals.join(', '), true),
  ];
}

// ---------------------------------------------------------------------------
// 7. certificate rollout
// ---------------------------------------------------------------------------

/** Static check 7: KCP rolls out machines before their certificates expire. */
function checkCertificateRollout(o: HardeningObjects): CheckResult[] {
  const path = [...ROLLOUT_BEFORE, 'certificatesExpiryDays'];
  const value = at(o.controlPlane, path);
  const problems = value === CERTIFICATES_EXPIRY_DAYS ? [] : [`${loc(o.controlPlane, path)}: expected ${CERTIFICATES_EXPIRY_DAYS}, got ${show(value)}`];
  return [outcome('scs-0215', `rolloutBefore.certificatesExpiryDays ${CERTIFICATES_EXPIRY_DAYS}`, problems, `certificatesExpiryDays ${CERTIFICATES_EXPIRY_DAYS}`)];
}

// ---------------------------------------------------------------------------
// 8. the N-variables: safe defaults, patches wired to them, nothing else relaxes
// ---------------------------------------------------------------------------

function targetHit(_o: HardeningObjects, op: PatchOperation, target: HardeningVariable['targets'][number]): boolean {
  if (target.kind === 'extraArg') return op.selectorKind === 'KubeadmControlPlaneTemplate' && jsonEqual([...op.path], [...argPath(target.component, target.arg)]);
  if (target.kind === 'nodeFile') return (isFileAdd(op, CP_FILES) || isFileAdd(op, WORKER_FILES)) && (stringAt(op.value, ['path']) ?? '').startsWith(`${KUBEADM_PATCHES_DIR}/`);
  // Cluster API refuses array indexes in patches, so the configuration file
  // cannot be replaced: the patch adds the override file the script reads.
  return op.selectorKind === 'KubeadmControlPlaneTemplate' && isFileAdd(op, CP_FILES) && stringAt(op.value, ['path']) === KUBE_PROXY_METRICS_OVERRIDE;
}

function variableCheck(o: HardeningObjects, hv: HardeningVariable, ops: readonly PatchOperation[], defaults: Record<string, Json>): CheckResult {
  const problems: string[] = [];
  const cc = `ClusterClass/${stringAt(o.clusterClass, ['metadata', 'name'])}`;
  const variables = arrayAt(o.clusterClass, ['spec', 'variables']);
  const index = variables.findIndex((v) => stringAt(v, ['name']) === hv.variable);
  if (index < 0) problems.push(`${cc} /spec/variables: no variable ${hv.variable}`);
  else {
    const schema: JsonPath = ['spec', 'variables', index, 'schema', 'openAPIV3Schema'];
    if (at(o.clusterClass, ['spec', 'variables', index, 'required']) === true) problems.push(`${cc} ${ptr(['spec', 'variables', index, 'required'])}: must not be required`);
    if (at(o.clusterClass, [...schema, 'type']) !== hv.type) problems.push(`${cc} ${ptr([...schema, 'type'])}: expected ${show(hv.type)}, got ${show(at(o.clusterClass, [...schema, 'type']))}`);
    if (!jsonEqual(at(o.clusterClass, [...schema, 'default']), hv.default)) problems.push(`${cc} ${ptr([...schema, 'default'])}: expected the safe default ${show(hv.default)}, got ${show(at(o.clusterClass, [...schema, 'default']))}`);
  }
  const patchIndex = arrayAt(o.clusterClass, ['spec', 'patches']).findIndex((p) => stringAt(p, ['name']) === hv.patch);
  if (patchIndex < 0) problems.push(`${cc} /spec/patches: no patch ${hv.patch}`);
  else {
    const where = `${cc} ${ptr(['spec', 'patches', patchIndex, 'enabledIf'])}`;
    const enabledIf = stringAt(o.clusterClass, ['spec', 'patches', patchIndex, 'enabledIf']);
    if (!conditionVariables(enabledIf).includes(hv.variable)) problems.push(`${where}: does not read ${hv.variable}, got ${show(enabledIf)}`);
    const atDefaults = evaluateEnabledIf(enabledIf, defaults);
    if (!atDefaults.ok) problems.push(`${where}: ${atDefaults.error}`);
    else if (atDefaults.enabled) problems.push(`${where}: enabled with the default variables; the templates must carry the default configuration`);
    const changed = { ...defaults, [hv.variable]: hv.other };
    const atOther = evaluateEnabledIf(enabledIf, changed);
    if (!atOther.ok) problems.push(`${where}: ${atOther.error}`);
    else if (!atOther.enabled) problems.push(`${where}: not enabled when ${hv.variable} is ${show(hv.other)}`);
    const mine = ops.filter((op) => op.patch === hv.patch);
    for (const target of hv.targets) {
      const hits = mine.filter((op) => targetHit(o, op, target));
      const what = target.kind === 'extraArg' ? `${target.component} ${target.arg}` : target.kind === 'nodeFile' ? 'a kubelet patch file' : 'the kube-proxy configuration';
      if (hits.length === 0) problems.push(`${cc} ${ptr(['spec', 'patches', patchIndex, 'definitions'])}: patch ${hv.patch} does not change ${what}`);
      if (target.kind === 'nodeFile') {
        const [cp, ...workers] = bootstrapNodes(o);
        if (!hits.some((op) => op.controlPlane && op.selectorKind === stringAt(cp.object, ['kind']))) problems.push(`${cc} ${ptr(['spec', 'patches', patchIndex, 'definitions'])}: patch ${hv.patch} does not reach the control plane`);
        for (const w of workers) for (const cls of w.classes ?? []) if (!hits.some((op) => op.workerClasses.includes(cls))) problems.push(`${cc} ${ptr(['spec', 'patches', patchIndex, 'definitions'])}: patch ${hv.patch} does not reach worker class ${cls}`);
      }
    }
    if (hv.variable === 'restrictAnonymousAuth') {
      // N1 with OIDC: the flag's owner points at the OIDC file (which follows restrictAnonymousAuth itself) whenever OIDC is on.
      const files = oidcFiles(ops);
      if (files.length > 0) {
        const withOidc: Record<string, Json> = { ...defaults, [OIDC_VARIABLE]: { clientID: 'x', issuerURL: 'https://issuer.example' } };
        const r = evaluateEnabledIf(enabledIf, withOidc);
        if (!r.ok) problems.push(`${where}: ${r.error}`);
        else if (!r.enabled) problems.push(`${where}: not enabled when OIDC is on, so the API server never reads the OIDC configuration of ${files[0].where}`);
        const paths = authenticationPatches(mine).flatMap((x) => x.paths);
        for (const f of files) if (!paths.includes(stringAt(f.value, ['path']) ?? '')) problems.push(`${cc} ${ptr(['spec', 'patches', patchIndex, 'definitions'])}: patch ${hv.patch} never points authentication-config at ${show(stringAt(f.value, ['path']))} (${f.where})`);
      }
    }
    if (hv.variable === 'kubeletServingCertificates') {
      // N2: metrics-server verifies kubelets unless the Cluster turned serving certificates off.
      const values = o.addonFiles['cluster-addon/metrics-server/values.yaml'];
      const overwrite = o.addonFiles['cluster-addon/metrics-server/overwrite.yaml'];
      if (values?.includes('--kubelet-insecure-tls')) problems.push('cluster-addon/metrics-server/values.yaml: --kubelet-insecure-tls regardless of kubeletServingCertificates');
      if (overwrite?.includes('--kubelet-insecure-tls') && !overwrite.includes(hv.variable)) problems.push(`cluster-addon/metrics-server/overwrite.yaml: --kubelet-insecure-tls not tied to ${hv.variable}`);
    }
  }
  return outcome(hv.id, `${hv.variable} defaults to ${JSON.stringify(hv.default)}; patch ${hv.patch} follows it`, problems, `default ${JSON.stringify(hv.default)}, patch ${hv.patch} off by default, on for ${JSON.stringify(hv.other)}`);
}

/** Settings whose existing content only the N-variable patches may change: values, or lists that may only be appended to. */
interface ProtectedPath {
  readonly path: JsonPath;
  readonly kind: string;
  readonly mode: 'value' | 'list';
}

function protectedPaths(o: HardeningObjects): ProtectedPath[] {
  const cpKind = 'KubeadmControlPlaneTemplate';
  return [
    ...HARDENED_ARGS.map(([c, k]) => ({ path: argPath(c, k), kind: cpKind, mode: 'value' as const })),
    ...Object.values(EXTRA_VOLUMES).map((path) => ({ path, kind: cpKind, mode: 'list' as const })),
    { path: ROLLOUT_BEFORE, kind: cpKind, mode: 'value' },
    ...bootstrapNodes(o).flatMap((n) => {
      const kind = stringAt(n.object, ['kind']) ?? '';
      return [
        { path: n.filesPath, kind, mode: 'list' as const },
        { path: [...n.base, 'preKubeadmCommands'], kind, mode: 'list' as const },
        { path: [...n.base, 'postKubeadmCommands'], kind, mode: 'list' as const },
        ...n.configs.map((c) => ({ path: [...n.base, c, 'patches'], kind, mode: 'value' as const })),
      ];
    }),
  ];
}

function onlyVariablePatches(o: HardeningObjects, ops: readonly PatchOperation[]): CheckResult {
  const problems: string[] = [];
  const protectedList = protectedPaths(o);
  for (const op of ops) {
    if (HARDENING_VARIABLES.some((hv) => hv.patch === op.patch && hv.targets.some((t) => targetHit(o, op, t)))) continue;
    for (const p of protectedList) {
      if (p.kind !== op.selectorKind) continue;
      if (op.path.length < p.path.length && startsWith(p.path, op.path)) {
        problems.push(`${op.where}: patch '${op.patch}' ${op.op}s ${ptr(op.path)}, a parent of hardened ${ptr(p.path)}`);
      } else if (startsWith(op.path, p.path)) {
        // Appending to a list (files/-, extraVolumes/-, commands/-) adds; it does not change what is there.
        const appends = p.mode === 'list' && op.op === 'add' && op.path.length === p.path.length + 1 && op.path[p.path.length] === '-';
        if (!appends) problems.push(`${op.where}: patch '${op.patch}' ${op.op}s hardened ${ptr(op.path)}; only the N-variable patches may`);
      }
    }
    const added = isFileAdd(op, CP_FILES) || isFileAdd(op, WORKER_FILES) ? stringAt(op.value, ['path']) : undefined;
    if (added !== undefined && (added.startsWith(`${KUBEADM_PATCHES_DIR}/`) || added.startsWith('/etc/sysctl.d/'))) {
      problems.push(`${op.where}: patch '${op.patch}' adds ${added}; only the N-variable patches may change the kubelet or sysctl configuration`);
    }
  }
  return outcome('N1–N9', 'only the N-variable patches change hardened settings', [...new Set(problems)], `${ops.length} patch operations checked`);
}

function oidcCheck(o: HardeningObjects, ops: readonly PatchOperation[]): CheckResult {
  const cc = `ClusterClass/${stringAt(o.clusterClass, ['metadata', 'name'])}`;
  const problems: string[] = [];
  const files = oidcFiles(ops);
  if (files.length === 0) problems.push(`${cc} /spec/patches: no patch behind ${OIDC_VARIABLE} writes an AuthenticationConfiguration with a JWT authenticator`);
  const paths = authenticationPatches(ops).flatMap((x) => x.paths);
  for (const f of files) {
    for (const field of ['issuerURL', 'clientID']) if (!(f.template ?? '').includes(`.${OIDC_VARIABLE}.${field}`)) problems.push(`${f.where}/valueFrom/template: does not read ${OIDC_VARIABLE}.${field}`);
    if (!paths.includes(stringAt(f.value, ['path']) ?? '')) problems.push(`${f.where}: no patch points authentication-config at ${show(stringAt(f.value, ['path']))}`);
  }
  return outcome('scs-0217', 'a second authenticator (OIDC) available via a variable, in the AuthenticationConfiguration', problems, `JWT authenticator from ${OIDC_VARIABLE}`);
}

/** The N-variables (N1–N9) exist with their safe defaults, each patch follows its variable, and no other patch relaxes the baseline. */
function checkHardeningVariables(o: HardeningObjects): CheckResult[] {
  const ops = patchOperations(o);
  const defaults = variableDefaults(o);
  return [...HARDENING_VARIABLES.map((hv) => variableCheck(o, hv, ops, defaults)), onlyVariablePatches(o, ops), oidcCheck(o, ops)];
}

/** The baseline's static checks 1–7, and the N-variable check, in order. */
export const STATIC_CHECKS: readonly StaticCheck[] = [
  { number: 1, name: 'exact extraArgs', run: checkExtraArgs },
  { number: 2, name: 'forbidden settings', run: checkForbiddenSettings },
  { number: 3, name: 'file arguments have files and mounts', run: checkFileReferences },
  { number: 4, name: 'embedded files', run: checkEmbeddedFiles },
  { number: 5, name: 'identical on every node', run: checkNodeConsistency },
  { number: 6, name: 'file sizes', run: checkFileSizes },
  { number: 7, name: 'certificate rollout', run: checkCertificateRollout },
  { number: 8, name: 'N-variables', run: checkHardeningVariables },
];
