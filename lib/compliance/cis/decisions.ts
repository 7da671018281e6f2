/**
 * The project's side of the kube-bench checks: which baseline items
 * (../shared/docs/hardening.md) cover each one, and why the stacks leave a
 * manual check unmet by default, with the variable that meets it where
 * there is one. The README lists these (npm run compliance -- --markdown).
 */

/** kube-bench check id → the baseline ids that cover it. */
export const BASELINE_IDS: Readonly<Record<string, string>> = {
  '1.1.1': 'kubeadm', '1.1.2': 'kubeadm', '1.1.3': 'kubeadm', '1.1.4': 'kubeadm', '1.1.5': 'kubeadm', '1.1.6': 'kubeadm', '1.1.7': 'kubeadm', '1.1.8': 'kubeadm',
  '1.1.11': 'kubeadm', '1.1.12': 'etcd-dir', '1.1.13': 'kubeadm', '1.1.14': 'kubeadm', '1.1.15': 'kubeadm', '1.1.16': 'kubeadm', '1.1.17': 'kubeadm', '1.1.18': 'kubeadm',
  '1.1.19': 'kubeadm', '1.1.20': 'kubeadm', '1.1.21': 'kubeadm',
  '1.2.1': '1.2.1, N1', '1.2.2': '1.2.2', '1.2.3': '1.2.3, 1.2.9–14', '1.2.4': '1.2.21–26', '1.2.5': '1.2.5, N2', '1.2.6': '1.2.6–8', '1.2.7': '1.2.6–8', '1.2.8': '1.2.6–8',
  '1.2.9': '1.2.3, 1.2.9–14', '1.2.10': '1.2.9–14', '1.2.11': 'N9', '1.2.12': '1.2.9–14', '1.2.13': '1.2.9–14', '1.2.14': '1.2.3, 1.2.9–14', '1.2.15': '1.2.15',
  '1.2.16': '1.2.16–19', '1.2.17': '1.2.16–19', '1.2.18': '1.2.16–19', '1.2.19': '1.2.16–19', '1.2.20': '1.2.20, scs-0215', '1.2.21': '1.2.21–26', '1.2.22': '1.2.21–26',
  '1.2.23': '1.2.21–26', '1.2.24': '1.2.21–26', '1.2.25': '1.2.21–26', '1.2.26': '1.2.21–26', '1.2.27': '1.2.27–28, N3', '1.2.28': '1.2.27–28, N3', '1.2.29': '1.2.29',
  '1.2.30': '1.2.30', '1.3.1': '1.3.1', '1.3.2': '1.3.2, 1.4.1', '1.3.3': '1.3.3', '1.3.4': 'kubeadm', '1.3.5': 'kubeadm', '1.3.6': '1.3.6', '1.3.7': '1.3.7, 1.4.2',
  '1.4.1': '1.3.2, 1.4.1', '1.4.2': '1.3.7, 1.4.2',
  '2.1': 'kubeadm', '2.2': '2.1–2.7', '2.3': '2.1–2.7', '2.4': 'kubeadm', '2.5': '2.1–2.7', '2.6': '2.1–2.7', '2.7': 'kubeadm',
  '3.2.1': '3.2.1–2', '3.2.2': '3.2.1–2',
  '4.1.1': 'kubelet-unit', '4.1.2': 'kubelet-unit', '4.1.5': 'kubeadm', '4.1.6': 'kubeadm', '4.1.7': 'kubeadm', '4.1.8': 'kubeadm', '4.1.9': '4.1.1/4.1.9', '4.1.10': 'kubeadm',
  '4.2.1': '4.2.1–3', '4.2.2': '4.2.1–3', '4.2.3': '4.2.1–3', '4.2.4': '4.2.4', '4.2.5': '4.2.5–7, N9', '4.2.6': '4.2.5–7', '4.2.7': '4.2.5–7', '4.2.8': '4.2.8',
  '4.2.9': '4.2.10–11, N2', '4.2.10': '4.2.10–11', '4.2.11': '4.2.10–11', '4.2.12': '4.2.12', '4.2.13': '4.2.13–14, N9', '4.2.14': '4.2.13–14, N9', '4.3.1': '4.3.1, N7',
};

export interface ManualNote {
  /** Why the stacks do not meet it by default, or why the templates cannot tell. */
  readonly reason: string;
  /** The variable that meets it, if one does. */
  readonly variable?: string;
}

/** Manual checks the stacks leave unmet by default, or that the templates cannot decide. */
export const MANUAL_NOTES: Readonly<Record<string, ManualNote>> = {
  '1.1.9': { reason: 'the CNI configuration files are written by the CNI (Cilium) at run time, not by the templates' },
  '1.1.10': { reason: 'the CNI configuration files are written by the CNI (Cilium) at run time, not by the templates' },
  '1.2.1': {
    reason:
      '--anonymous-auth=false breaks the API server\'s liveness/readiness probes and kubeadm join discovery, and is exclusive with the AuthenticationConfiguration; instead anonymous requests are limited to /livez, /readyz, /healthz and the kube-public cluster-info ConfigMap (restrictAnonymousAuth, default true)',
  },
  '1.2.11': { reason: 'AlwaysPullImages costs registry traffic and start-up time, and pods fail while the registry is unreachable', variable: 'admissionAlwaysPullImages: true' },
  '1.2.20': { reason: 'kube-bench has no test; the baseline sets request-timeout=60s (1.2.20, scs-0215)' },
  '1.2.27': { reason: 'the encryption key must come from a Secret the user creates before the machines bootstrap; losing it loses the secrets', variable: 'encryptionAtRestSecretName: <Secret>' },
  '1.2.28': { reason: 'as 1.2.27: the providers are in the user\'s EncryptionConfiguration (secretbox or aescbc first)', variable: 'encryptionAtRestSecretName: <Secret>' },
  '3.1.1': { reason: 'kube-bench has no test: a review of how users authenticate (OIDC is offered by oidcConfig)', variable: 'oidcConfig' },
  '3.1.2': { reason: 'kube-bench has no test: a review of how users authenticate (OIDC is offered by oidcConfig)', variable: 'oidcConfig' },
  '3.1.3': { reason: 'kube-bench has no test: a review of how users authenticate (OIDC is offered by oidcConfig)', variable: 'oidcConfig' },
  '3.2.2': { reason: 'kube-bench has no test; the baseline\'s audit policy covers secrets, exec/attach/port-forward/proxy and drops noise (3.2.1–2)' },
  '4.1.3': { reason: 'kubeadm\'s kube-proxy reads its kubeconfig from the kube-proxy ConfigMap inside its pod; no proxy kubeconfig exists on the host' },
  '4.1.4': { reason: 'kubeadm\'s kube-proxy reads its kubeconfig from the kube-proxy ConfigMap inside its pod; no proxy kubeconfig exists on the host' },
  '4.2.9': {
    reason:
      'the kubelet\'s serving certificate is requested from the cluster CA and rotated (serverTLSBootstrap, kubeletServingCertificates default true), kept in /var/lib/kubelet/pki, not named by tlsCertFile/tlsPrivateKeyFile',
  },
  '4.2.12': {
    reason:
      'the kubelet gets the same six ECDHE AES-GCM/ChaCha20 suites as the API server; kube-bench\'s list names the two ChaCha20 suites by Go\'s legacy names (…_CHACHA20_POLY1305) and lacks their IANA names (…_CHACHA20_POLY1305_SHA256) the stacks use',
  },
};
