/**
 * What a node gets from kubeadm, Cluster API and the node image before the
 * templates change anything: the flags kubeadm puts on the control plane
 * static pods and the files it writes with their modes. kube-bench audits
 * the running node, so these count as much as the templates' own settings.
 *
 * Read from k8s.io/kubernetes v1.34.7 (the Go module zip):
 * - cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand,
 *   getControllerManagerCommand, getSchedulerCommand (defaultArguments);
 *   authorization-mode is getAuthzModes' "Node,RBAC";
 * - cmd/kubeadm/app/phases/etcd/local.go getEtcdCommand;
 * - cmd/kubeadm/app/componentconfigs/kubelet.go (kubeletConfig).Default;
 * - file modes: util/staticpod/utils.go WriteStaticPodToDisk 0600 (dir 0700),
 *   client-go clientcmd.WriteToFile 0600 (kubeconfig files),
 *   client-go util/cert WriteCert 0644 and util/keyutil WriteKey 0600,
 *   phases/kubelet/config.go 0644 for /var/lib/kubelet/config.yaml,
 *   util/etcd/etcddata.go CreateDataDirectory 0700;
 * and from sigs.k8s.io/cluster-api v1.10.9 util/secret/certificates.go
 * (AsFiles: the cluster CAs and the service account key pair Cluster API
 * generates, certificates 0640 and keys 0600, owner root:root).
 * The flags below are the ones a CIS check reads; they are the same in
 * kubeadm 1.32 and 1.33.
 */

export type ControlPlaneProcess = 'apiserver' | 'controllermanager' | 'scheduler' | 'etcd';

const PKI = '/etc/kubernetes/pki';

export const KUBEADM_FLAGS: Readonly<Record<ControlPlaneProcess, Readonly<Record<string, string>>>> = {
  apiserver: {
    'enable-admission-plugins': 'NodeRestriction',
    'service-account-key-file': `${PKI}/sa.pub`,
    'service-account-signing-key-file': `${PKI}/sa.key`,
    'client-ca-file': `${PKI}/ca.crt`,
    'tls-cert-file': `${PKI}/apiserver.crt`,
    'tls-private-key-file': `${PKI}/apiserver.key`,
    'kubelet-client-certificate': `${PKI}/apiserver-kubelet-client.crt`,
    'kubelet-client-key': `${PKI}/apiserver-kubelet-client.key`,
    'enable-bootstrap-token-auth': 'true',
    'allow-privileged': 'true',
    'requestheader-client-ca-file': `${PKI}/front-proxy-ca.crt`,
    'proxy-client-cert-file': `${PKI}/front-proxy-client.crt`,
    'proxy-client-key-file': `${PKI}/front-proxy-client.key`,
    'etcd-servers': 'https://127.0.0.1:2379',
    'etcd-cafile': `${PKI}/etcd/ca.crt`,
    'etcd-certfile': `${PKI}/apiserver-etcd-client.crt`,
    'etcd-keyfile': `${PKI}/apiserver-etcd-client.key`,
    'authorization-mode': 'Node,RBAC',
  },
  controllermanager: {
    'bind-address': '127.0.0.1',
    'leader-elect': 'true',
    kubeconfig: '/etc/kubernetes/controller-manager.conf',
    'client-ca-file': `${PKI}/ca.crt`,
    'root-ca-file': `${PKI}/ca.crt`,
    'service-account-private-key-file': `${PKI}/sa.key`,
    'cluster-signing-cert-file': `${PKI}/ca.crt`,
    'cluster-signing-key-file': `${PKI}/ca.key`,
    'use-service-account-credentials': 'true',
    controllers: '*,bootstrapsigner,tokencleaner',
  },
  scheduler: {
    'bind-address': '127.0.0.1',
    'leader-elect': 'true',
    kubeconfig: '/etc/kubernetes/scheduler.conf',
  },
  etcd: {
    'data-dir': '/var/lib/etcd',
    'cert-file': `${PKI}/etcd/server.crt`,
    'key-file': `${PKI}/etcd/server.key`,
    'trusted-ca-file': `${PKI}/etcd/ca.crt`,
    'client-cert-auth': 'true',
    'peer-cert-file': `${PKI}/etcd/peer.crt`,
    'peer-key-file': `${PKI}/etcd/peer.key`,
    'peer-trusted-ca-file': `${PKI}/etcd/ca.crt`,
    'peer-client-cert-auth': 'true',
    'snapshot-count': '10000',
    'listen-metrics-urls': 'http://127.0.0.1:2381',
  },
};

/** The KubeletConfiguration fields kubeadm sets (the patches come on top). */
export const KUBEADM_KUBELET_CONFIG = {
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
  kind: 'KubeletConfiguration',
  staticPodPath: '/etc/kubernetes/manifests',
  authentication: { x509: { clientCAFile: `${PKI}/ca.crt` }, anonymous: { enabled: false }, webhook: { enabled: true } },
  authorization: { mode: 'Webhook' },
  healthzBindAddress: '127.0.0.1',
  healthzPort: 10248,
  rotateCertificates: true,
  cgroupDriver: 'systemd',
} as const;

export interface FileState {
  readonly mode: string;
  readonly owner: string;
  /** Who writes it, for the report. */
  readonly by: string;
}

const file = (mode: string, by: string): FileState => ({ mode, owner: 'root:root', by });

/** Files on every node. */
const NODE_FILES: Readonly<Record<string, FileState>> = {
  '/etc/kubernetes/kubelet.conf': file('600', 'kubeadm (kubeconfig)'),
  '/var/lib/kubelet/config.yaml': file('644', 'kubeadm (phases/kubelet)'),
  [`${PKI}/ca.crt`]: file('644', 'kubeadm (join discovery) / Cluster API'),
  // The node image's kubelet unit (pkgs.k8s.io kubelet package, image-builder).
  '/lib/systemd/system/kubelet.service': file('644', 'node image (kubelet package)'),
};

const kubeadmCerts = ['apiserver', 'apiserver-kubelet-client', 'apiserver-etcd-client', 'front-proxy-client', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client'];
const clusterApiPairs = ['ca', 'etcd/ca', 'front-proxy-ca'];

/** Files on control plane nodes, on top of NODE_FILES. */
const CONTROL_PLANE_FILES: Readonly<Record<string, FileState>> = {
  '/etc/kubernetes/manifests/kube-apiserver.yaml': file('600', 'kubeadm (static pod)'),
  '/etc/kubernetes/manifests/kube-controller-manager.yaml': file('600', 'kubeadm (static pod)'),
  '/etc/kubernetes/manifests/kube-scheduler.yaml': file('600', 'kubeadm (static pod)'),
  '/etc/kubernetes/manifests/etcd.yaml': file('600', 'kubeadm (static pod)'),
  '/etc/kubernetes/admin.conf': file('600', 'kubeadm (kubeconfig)'),
  '/etc/kubernetes/super-admin.conf': file('600', 'kubeadm (kubeconfig)'),
  '/etc/kubernetes/scheduler.conf': file('600', 'kubeadm (kubeconfig)'),
  '/etc/kubernetes/controller-manager.conf': file('600', 'kubeadm (kubeconfig)'),
  '/var/lib/etcd': file('700', 'kubeadm (etcd data directory)'),
  [PKI]: file('755', 'kubeadm'),
  [`${PKI}/etcd`]: file('755', 'kubeadm'),
  ...Object.fromEntries(clusterApiPairs.flatMap((n) => [[`${PKI}/${n}.crt`, file('640', 'Cluster API')], [`${PKI}/${n}.key`, file('600', 'Cluster API')]])),
  [`${PKI}/sa.pub`]: file('640', 'Cluster API'),
  [`${PKI}/sa.key`]: file('600', 'Cluster API'),
  ...Object.fromEntries(kubeadmCerts.flatMap((n) => [[`${PKI}/${n}.crt`, file('644', 'kubeadm')], [`${PKI}/${n}.key`, file('600', 'kubeadm')]])),
};

export function baseFiles(controlPlane: boolean): Record<string, FileState> {
  return { ...NODE_FILES, ...(controlPlane ? CONTROL_PLANE_FILES : {}) };
}
