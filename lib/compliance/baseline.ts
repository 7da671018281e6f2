/**
 * The expected values of the security baseline (../shared/docs/hardening.md),
 * written down here independently of the constructs that generate them, so
 * that a change in `constructs/hardening/` cannot silently move the target.
 */

/** CIS 1.2.29, 2.x, 4.2.12: "the six ECDHE AES-GCM/CHACHA20 suites". */
export const ECDHE_CIPHER_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;

/** Cipher names that are never acceptable: static RSA key exchange, CBC mode and older. */
export const FORBIDDEN_CIPHER = /^TLS_RSA_|_CBC_|_RC4_|3DES/;

export const TLS_MIN_VERSION = 'VersionTLS12';
export const CLUSTER_CA = '/etc/kubernetes/pki/ca.crt';
export const ADMISSION_PLUGINS = 'NodeRestriction,PodSecurity,EventRateLimit,DenyServiceExternalIPs';

/** Directories kubeadm mounts into the control plane static pods itself; files there are kubeadm's, not ours. */
export const KUBEADM_MANAGED_DIRS = ['/etc/kubernetes/pki'] as const;

export const KUBEADM_PATCHES_DIR = '/etc/kubernetes/patches';
export const KPATCH = '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json';
export const KUBELET_PATCH_FILE = /^\/etc\/kubernetes\/patches\/kubeletconfiguration[^/+]*\+(strategic|merge|json)\.(json|yaml)$/;
export const SYSCTL_FILE = '/etc/sysctl.d/90-kubelet.conf';
/** N7: the file whose content the kube-proxy patch script puts in metricsBindAddress. */
export const KUBE_PROXY_METRICS_OVERRIDE = '/etc/kube-proxy-metrics-bind-address';
export const KUBELET_CONFIG_CHMOD = /^chmod (0)?600 \/var\/lib\/kubelet\/config\.yaml$/;
export const SYSCTL_RELOAD = 'sysctl --system';

/** kernel (N4): what protectKernelDefaults needs, exactly. */
export const KERNEL_SYSCTLS: Readonly<Record<string, string>> = {
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
  'kernel.keys.root_maxkeys': '1000000',
  'kernel.keys.root_maxbytes': '25000000',
};

/** N1: what anonymous requests may reach when restricted (the health checks, and cluster-info for kubeadm join discovery). */
export const ANONYMOUS_PATHS = ['/livez', '/readyz', '/healthz', '/api/v1/namespaces/kube-public/configmaps/cluster-info'] as const;

/** N1/scs-0217: the variable whose patch turns OIDC on; its patch must keep the anonymous restriction in its own AuthenticationConfiguration. */
export const OIDC_VARIABLE = 'oidcConfig';

/** kube-apiserver flags kubeadm sets for etcd, TLS and client CAs (1.2.21–26): never overridden. */
export const KUBEADM_OWNED_API_FLAGS = [
  'etcd-servers',
  'etcd-cafile',
  'etcd-certfile',
  'etcd-keyfile',
  'tls-cert-file',
  'tls-private-key-file',
  'client-ca-file',
  'kubelet-client-certificate',
  'kubelet-client-key',
  'service-account-key-file',
  'service-account-signing-key-file',
  'service-account-issuer',
  'requestheader-client-ca-file',
  'proxy-client-cert-file',
  'proxy-client-key-file',
] as const;

/**
 * kubelet flags that would override the KubeletConfiguration (flags win over
 * the config file), so the security settings of section C must not appear
 * in `kubeletExtraArgs`.
 */
export const KUBELET_SECURITY_FLAGS = [
  'anonymous-auth',
  'authentication-token-webhook',
  'authorization-mode',
  'client-ca-file',
  'read-only-port',
  'streaming-connection-idle-timeout',
  'make-iptables-util-chains',
  'hostname-override',
  'event-qps',
  'rotate-certificates',
  'rotate-server-certificates',
  'tls-cert-file',
  'tls-private-key-file',
  'tls-min-version',
  'tls-cipher-suites',
  'protect-kernel-defaults',
  'pod-max-pids',
  'seccomp-default',
] as const;

/** Nova accepts 65535 bytes of base64-encoded user data: about 48 KiB before encoding. */
export const USER_DATA_LIMIT = Math.floor((65535 * 3) / 4);
/** Left for what Cluster API adds to the user data itself: certificates and keys, the kubeadm configuration, cloud-init boilerplate. */
const USER_DATA_RESERVE = 16384;
/** The budget for the files we write (N8); exceeding it is a warning, not a failure. */
export const FILES_BUDGET = USER_DATA_LIMIT - USER_DATA_RESERVE;
/** `files[].content` maxLength in the v1beta1 CRDs (N8). */
export const MAX_FILE_CONTENT = 10240;

export const CERTIFICATES_EXPIRY_DAYS = 60;

/** Where a variable's patch acts, for the N-variable checks. */
export type PatchTarget =
  | { readonly kind: 'extraArg'; readonly component: 'apiServer' | 'controllerManager' | 'scheduler' | 'etcd'; readonly arg: string }
  | { readonly kind: 'nodeFile' }
  | { readonly kind: 'fileContent'; readonly file: 'kubeProxyConfig' };

export interface HardeningVariable {
  /** The baseline item the variable trades off. */
  readonly id: string;
  readonly variable: string;
  readonly type: 'boolean' | 'string' | 'integer';
  /** The safe default: what the templates carry. */
  readonly default: boolean | string | number;
  /** A value that must enable the patch. */
  readonly other: boolean | string | number;
  readonly patch: string;
  readonly targets: readonly PatchTarget[];
}

/** N1–N9: the variables that relax or add one documented trade-off each, with their safe defaults and patches. */
export const HARDENING_VARIABLES: readonly HardeningVariable[] = [
  { id: 'N1', variable: 'restrictAnonymousAuth', type: 'boolean', default: true, other: false, patch: 'authenticationConfig', targets: [{ kind: 'extraArg', component: 'apiServer', arg: 'authentication-config' }] },
  {
    id: 'N2',
    variable: 'kubeletServingCertificates',
    type: 'boolean',
    default: true,
    other: false,
    patch: 'kubeletSelfSignedServingCertificates',
    targets: [{ kind: 'extraArg', component: 'apiServer', arg: 'kubelet-certificate-authority' }, { kind: 'nodeFile' }],
  },
  { id: 'N3', variable: 'encryptionAtRestSecretName', type: 'string', default: '', other: 'my-encryption-config', patch: 'encryptionAtRest', targets: [{ kind: 'extraArg', component: 'apiServer', arg: 'encryption-provider-config' }] },
  {
    id: 'N7',
    variable: 'exposeControlPlaneMetrics',
    type: 'boolean',
    default: false,
    other: true,
    patch: 'exposeControlPlaneMetrics',
    targets: [
      { kind: 'extraArg', component: 'controllerManager', arg: 'bind-address' },
      { kind: 'extraArg', component: 'scheduler', arg: 'bind-address' },
      { kind: 'extraArg', component: 'etcd', arg: 'listen-metrics-urls' },
      { kind: 'fileContent', file: 'kubeProxyConfig' },
    ],
  },
  { id: 'N9', variable: 'admissionAlwaysPullImages', type: 'boolean', default: false, other: true, patch: 'admissionAlwaysPullImages', targets: [{ kind: 'extraArg', component: 'apiServer', arg: 'enable-admission-plugins' }] },
  {
    id: 'N9',
    variable: 'serviceAccountExtendTokenExpiration',
    type: 'boolean',
    default: false,
    other: true,
    patch: 'serviceAccountExtendTokenExpiration',
    targets: [{ kind: 'extraArg', component: 'apiServer', arg: 'service-account-extend-token-expiration' }],
  },
  { id: 'N9', variable: 'kubeletPodPidsLimit', type: 'integer', default: 4096, other: 8192, patch: 'kubeletTradeOffs', targets: [{ kind: 'nodeFile' }] },
  { id: 'N9', variable: 'kubeletSeccompDefault', type: 'boolean', default: true, other: false, patch: 'kubeletTradeOffs', targets: [{ kind: 'nodeFile' }] },
  { id: 'N9', variable: 'kubeletStreamingConnectionIdleTimeoutMinutes', type: 'integer', default: 5, other: 30, patch: 'kubeletTradeOffs', targets: [{ kind: 'nodeFile' }] },
];
