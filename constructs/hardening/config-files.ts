import { dumpYaml } from '../cluster-addon.ts';

/**
 * The configuration files the hardening baseline (../shared/docs/hardening.md)
 * puts on control plane and worker nodes, as typed objects rendered to text
 * in one place. Paths are the contract between files, flags and mounts.
 */
export const HardeningPaths = {
  admissionDir: '/etc/kubernetes/admission',
  admissionConfig: '/etc/kubernetes/admission/admission-config.yaml',
  eventRateLimitConfig: '/etc/kubernetes/admission/event-rate-limit.yaml',
  auditDir: '/etc/kubernetes/audit',
  auditPolicy: '/etc/kubernetes/audit/audit-policy.yaml',
  auditLogDir: '/var/log/kubernetes/audit',
  auditLog: '/var/log/kubernetes/audit/audit.log',
  authenticationDir: '/etc/kubernetes/authentication',
  authenticationConfig: '/etc/kubernetes/authentication/authentication-config.yaml',
  /** Written by the unrestrictedAnonymousAuth patch. */
  unrestrictedAuthenticationConfig: '/etc/kubernetes/authentication/authentication-config-unrestricted.yaml',
  /** Written by the oidcConfig patch: the anonymous restriction (restrictAnonymousAuth) plus the JWT authenticator. */
  oidcAuthenticationConfig: '/etc/kubernetes/authentication/authentication-config-oidc.yaml',
  encryptionDir: '/etc/kubernetes/encryption',
  encryptionConfig: '/etc/kubernetes/encryption/encryption-config.yaml',
  kubeadmPatchesDir: '/etc/kubernetes/patches',
  /** Applied by kubeadm in lexical order: the base first, the variable-driven overrides after it. */
  kubeletPatch: '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json',
  kubeletServingPatch: '/etc/kubernetes/patches/kubeletconfiguration1+strategic.json',
  kubeletTradeOffPatch: '/etc/kubernetes/patches/kubeletconfiguration2+strategic.json',
  sysctl: '/etc/sysctl.d/90-kubelet.conf',
  kubeProxyConfig: '/etc/kube-proxy-config.yaml',
  /** Written by the exposeControlPlaneMetrics patch; the patch script takes the address from it. */
  kubeProxyMetricsBindAddress: '/etc/kube-proxy-metrics-bind-address',
  kubeProxyPatchScript: '/etc/kube-proxy-patch.sh',
  clusterCA: '/etc/kubernetes/pki/ca.crt',
} as const;

/** CIS 1.2.29 / 2.x / 4.2.12: ECDHE with AES-GCM or ChaCha20 only, no TLS_RSA_*, no CBC. */
export const TLS_CIPHER_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;

export const TLS_MIN_VERSION = 'VersionTLS12';

/** NodeRestriction first: setting the flag replaces kubeadm's default list. */
export const ADMISSION_PLUGINS = ['NodeRestriction', 'PodSecurity', 'EventRateLimit', 'DenyServiceExternalIPs'] as const;

/*
 * The files below are the same for every bundle: each is dumped once per
 * process (some 40 µs a bundle, every ClusterClass writes them).
 */
let admission: string | undefined;
let eventRateLimit: string | undefined;
let audit: string | undefined;

/** scs-0215/0217: PodSecurity enforces baseline, audits and warns restricted; kube-system is exempt (N6). */
export function admissionConfiguration(): string {
  return (admission ??= dumpYaml({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: { enforce: 'baseline', 'enforce-version': 'latest', audit: 'restricted', 'audit-version': 'latest', warn: 'restricted', 'warn-version': 'latest' },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
        },
      },
      { name: 'EventRateLimit', path: HardeningPaths.eventRateLimitConfig },
    ],
  }));
}

export function eventRateLimitConfiguration(): string {
  return (eventRateLimit ??= dumpYaml({
    apiVersion: 'eventratelimit.admission.k8s.io/v1alpha1',
    kind: 'Configuration',
    limits: [{ type: 'Server', qps: 5000, burst: 20000 }],
  }));
}

/**
 * CIS 3.2.1–2: secrets and config never above Metadata, exec/attach/proxy
 * with request bodies, noise (health, events, leases) not logged.
 */
export function auditPolicy(): string {
  return (audit ??= dumpYaml({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
      { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'Metadata', resources: [{ group: '', resources: ['secrets', 'configmaps'] }, { group: 'authentication.k8s.io', resources: ['tokenreviews'] }] },
      { level: 'RequestResponse', resources: [{ group: '', resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'] }] },
      { level: 'Metadata' },
    ],
  }));
}

/** CIS 4.2.x: the kubelet's configuration, applied by kubeadm as a strategic merge patch on every node. */
export function kubeletConfigurationPatch(protectKernelDefaults = true): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: HardeningPaths.clusterCA } },
      authorization: { mode: 'Webhook' },
      readOnlyPort: 0,
      streamingConnectionIdleTimeout: '5m',
      makeIPTablesUtilChains: true,
      eventRecordQPS: 50,
      rotateCertificates: true,
      serverTLSBootstrap: true,
      tlsMinVersion: TLS_MIN_VERSION,
      tlsCipherSuites: TLS_CIPHER_SUITES,
      podPidsLimit: 4096,
      seccompDefault: true,
      protectKernelDefaults,
    },
    null,
    2,
  )}\n`;
}

/**
 * CIS 4.1.1 (kube-bench cfg/cis-1.12 node.yaml): the kubelet's systemd unit
 * files 0600. They come with the node image (kubelet package, kind), so
 * every node restricts whichever of kube-bench's candidates exist.
 */
const KUBELET_UNIT_FILES = [
  '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
  '/etc/systemd/system/kubelet.service',
  '/lib/systemd/system/kubelet.service',
  '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
] as const;

export function kubeletUnitFilesCommand(): string {
  return `for f in ${KUBELET_UNIT_FILES.join(' ')}; do [ ! -e "$f" ] || chmod 600 "$f"; done`;
}

/**
 * CIS 1.1.11–12: the etcd data directory 0700 and owned by an etcd system
 * user, created before kubeadm (which leaves an existing directory as it is).
 * etcd itself runs as root in kubeadm's static pod and can still write it.
 */
export function etcdDataDirCommands(dataDir = '/var/lib/etcd'): string[] {
  return [
    'getent group etcd >/dev/null || groupadd --system etcd',
    `getent passwd etcd >/dev/null || useradd --system --gid etcd --home-dir ${dataDir} --no-create-home --shell /usr/sbin/nologin etcd`,
    `install -d -m 0700 -o etcd -g etcd ${dataDir}`,
  ];
}

/** N4: the sysctls protectKernelDefaults requires, set before the kubelet starts. */
export const KERNEL_SYSCTLS = {
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
  'kernel.keys.root_maxkeys': '1000000',
  'kernel.keys.root_maxbytes': '25000000',
} as const;

export function sysctlConfiguration(): string {
  return Object.entries(KERNEL_SYSCTLS).map(([k, v]) => `${k} = ${v}\n`).join('');
}

/** CIS 4.3.1: kube-proxy metrics on loopback unless a variable opens them (N7). */
export function kubeProxyConfiguration(metricsBindAddress: string): string {
  return `---\n${dumpYaml({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', metricsBindAddress })}`;
}

/**
 * Cluster API has no field for kube-proxy's configuration, so the init node
 * appends a KubeProxyConfiguration document to its kubeadm configuration
 * before `kubeadm init` (kubernetes-sigs/cluster-api#4512). Joining nodes
 * take kube-proxy's configuration from the cluster.
 */
export function kubeProxyPatchScript(): string {
  return [
    '#!/usr/bin/env bash',
    'set -o errexit -o nounset -o pipefail',
    `config=${HardeningPaths.kubeProxyConfig}`,
    '[[ -f "${config}" ]] || exit 0',
    '# Ubuntu images keep the kubeadm configuration in /run/kubeadm, Flatcar in /etc.',
    'kubeadm_file=/run/kubeadm/kubeadm.yaml',
    '[[ -f "${kubeadm_file}" ]] || kubeadm_file=/etc/kubeadm.yml',
    '# A ClusterClass patch cannot replace this file\'s content (Cluster API refuses',
    '# array indexes in patches), so an opened metrics address comes as its own file.',
    `override=${HardeningPaths.kubeProxyMetricsBindAddress}`,
    'if [[ -f "${override}" ]]; then',
    '  sed -i "s|^metricsBindAddress: .*|metricsBindAddress: \\"$(tr -d \'[:space:]\' < "${override}")\\"|" "${config}"',
    'fi',
    '# Only the init node has an InitConfiguration to extend.',
    'if [[ -f "${kubeadm_file}" ]] && grep -q "kind: InitConfiguration" "${kubeadm_file}"; then',
    '  cat "${config}" >> "${kubeadm_file}"',
    'fi',
    'rm -f "${config}"',
    '',
  ].join('\n');
}
