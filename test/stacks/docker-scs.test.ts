import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_KUBERNETES_MINORS } from '../../constructs/kubernetes-version.ts';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { dockerScs } from '../../stacks/docker/scs/stack.ts';
import { KUBERNETES_VERSIONS } from '../../stacks/kubernetes-versions.ts';

const bundles = synthesize([dockerScs]);
const CLASS = 'docker-scs-1-34-v1';
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

const b134 = (() => {
  const found = bundles.find((b) => b.path === 'docker/scs/1-34');
  if (!found) throw new Error('docker/scs/1-34 is not synthesized');
  return found;
})();

function file(bundle: Bundle, path: string): string {
  const found = bundle.files.find((f) => f.path === path);
  if (!found) throw new Error(`${bundle.path}: no ${path}`);
  return found.content;
}

type Json = Record<string, unknown>;
type Doc = Json & { apiVersion: string; kind: string; metadata: { name: string }; spec: Json };
interface ClusterClassJson {
  metadata: { name: string };
  spec: {
    infrastructure: { ref: Json };
    controlPlane: { ref: Json; machineInfrastructure: { ref: Json } };
    workers: { machineDeployments: { class: string; template: { bootstrap: { ref: Json }; infrastructure: { ref: Json } } }[] };
    variables: { name: string; required: boolean; schema: { openAPIV3Schema: Json } }[];
    patches: { name: string; enabledIf?: string; definitions: { selector: Json; jsonPatches: Json[] }[] }[];
  };
}

/** The hardening variables (N1–N9 of ../shared/docs/hardening.md), after the stack's own, with their safe defaults. */
const HARDENING_VARIABLES: [string, boolean, string, unknown][] = [
  ['restrictAnonymousAuth', false, 'boolean', true],
  ['kubeletServingCertificates', false, 'boolean', true],
  ['encryptionAtRestSecretName', false, 'string', ''],
  ['exposeControlPlaneMetrics', false, 'boolean', false],
  ['admissionAlwaysPullImages', false, 'boolean', false],
  ['serviceAccountExtendTokenExpiration', false, 'boolean', false],
  ['kubeletPodPidsLimit', false, 'integer', 4096],
  ['kubeletSeccompDefault', false, 'boolean', true],
  ['kubeletStreamingConnectionIdleTimeoutMinutes', false, 'integer', 5],
];
const HARDENING_PATCHES = [
  'unrestrictedAnonymousAuth',
  'authenticationConfig',
  'kubeletSelfSignedServingCertificates',
  'encryptionAtRest',
  'exposeControlPlaneMetrics',
  'admissionAlwaysPullImages',
  'serviceAccountExtendTokenExpiration',
  'kubeletTradeOffs',
];

const docs = yaml.loadAll(file(b134, 'cluster-class.yaml')) as Doc[];
const clusterClass = docs[0] as unknown as ClusterClassJson;
const byName = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} is missing`);
  return d;
};

describe('docker/scs bundles', () => {
  it('exist for every supported minor, named after the stack, the minor and the version, which is also the release tag', () => {
    expect(bundles.map((b) => b.identity.kubernetes.minorVersion)).toEqual([...SUPPORTED_KUBERNETES_MINORS]);
    for (const b of bundles) {
      expect(b.clusterClassName).toBe(`docker-scs-${b.identity.kubernetes.minorSlug}-${b.versions.clusterStack.toString()}`);
      expect(b.releaseTag).toBe(b.clusterClassName);
    }
  });

  it('ship the CNI, the kubelet CSR approver and metrics-server only, and no node-images.yaml', () => {
    expect(b134.files.map((f) => f.path)).toEqual([
      'cluster-addon/cni/Chart.yaml',
      'cluster-addon/cni/values.yaml',
      'cluster-addon/kubelet-csr-approver/Chart.yaml',
      'cluster-addon/kubelet-csr-approver/values.yaml',
      'cluster-addon/metrics-server/Chart.yaml',
      'cluster-addon/metrics-server/overwrite.yaml',
      'cluster-addon/metrics-server/values.yaml',
      'cluster-class.yaml',
      'clusteraddon.yaml',
      'helm-chart-proxies.yaml',
      'kustomization.yaml',
      'metadata.yaml',
    ]);
    for (const b of bundles) expect(b.files.some((f) => f.path === 'node-images.yaml'), b.path).toBe(false);
  });

  it('write into metadata.yaml the Kubernetes patch version the shared table ships for the minor, and the bundle\'s versions', () => {
    for (const b of bundles) {
      const minor = SUPPORTED_KUBERNETES_MINORS.find((m) => m === b.identity.kubernetes.minorVersion);
      if (!minor) throw new Error(`${b.path}: unsupported minor`);
      expect(yaml.load(file(b, 'metadata.yaml')), b.path).toEqual({
        apiVersion: 'metadata.clusterstack.x-k8s.io/v1alpha1',
        versions: { clusterStack: b.versions.clusterStack.toString(), kubernetes: `v${KUBERNETES_VERSIONS[minor]}`, components: { clusterAddon: b.versions.clusterAddon.toString(), nodeImage: b.versions.nodeImage.toString() } },
      });
    }
  });
});

describe('ClusterClass', () => {
  it('references CAPD templates named <class>-<role>', () => {
    expect(clusterClass.metadata.name).toBe(CLASS);
    expect(clusterClass.spec.infrastructure.ref).toEqual({ apiVersion: INFRA, kind: 'DockerClusterTemplate', name: `${CLASS}-cluster` });
    expect(clusterClass.spec.controlPlane.ref).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: `${CLASS}-control-plane` });
    expect(clusterClass.spec.controlPlane.machineInfrastructure.ref).toEqual({ apiVersion: INFRA, kind: 'DockerMachineTemplate', name: `${CLASS}-control-plane` });
    expect(clusterClass.spec.workers.machineDeployments).toEqual([
      {
        class: 'default-worker',
        template: {
          bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: `${CLASS}-default-worker` } },
          infrastructure: { ref: { apiVersion: INFRA, kind: 'DockerMachineTemplate', name: `${CLASS}-default-worker` } },
        },
      },
    ]);
  });

  it('is followed by the templates it references', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `ClusterClass/${CLASS}`,
      `DockerClusterTemplate/${CLASS}-cluster`,
      `KubeadmControlPlaneTemplate/${CLASS}-control-plane`,
      `DockerMachineTemplate/${CLASS}-control-plane`,
      `KubeadmConfigTemplate/${CLASS}-default-worker`,
      `DockerMachineTemplate/${CLASS}-default-worker`,
    ]);
  });

  it('declares imageRepository and customImage, both empty by default, OIDC, then the hardening variables with their safe defaults', () => {
    expect(clusterClass.spec.variables.map((v) => [v.name, v.required, v.schema.openAPIV3Schema.type, v.schema.openAPIV3Schema.default])).toEqual([
      ['imageRepository', false, 'string', ''],
      ['customImage', false, 'string', ''],
      ['oidcConfig', false, 'object', undefined],
      ...HARDENING_VARIABLES,
    ]);
  });

  it('sets the image repository on the control plane when it is not empty', () => {
    const p = clusterClass.spec.patches.find((x) => x.name === 'imageRepository');
    expect(p?.enabledIf).toBe('{{ if ne .imageRepository "" }}true{{ end }}');
    expect(p?.definitions).toEqual([
      {
        selector: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } },
        jsonPatches: [{ op: 'add', path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/imageRepository', valueFrom: { variable: 'imageRepository' } }],
      },
    ]);
  });

  it('sets the custom image on control plane and worker Docker machines', () => {
    expect(clusterClass.spec.patches.map((p) => p.name)).toEqual(['imageRepository', 'customImage', 'oidcConfig', ...HARDENING_PATCHES]);
    const p = clusterClass.spec.patches[1];
    expect(p.enabledIf).toBe('{{ if ne .customImage "" }}true{{ end }}');
    const set = { op: 'add', path: '/spec/template/spec/customImage', valueFrom: { variable: 'customImage' } };
    expect(p.definitions).toEqual([
      { selector: { apiVersion: INFRA, kind: 'DockerMachineTemplate', matchResources: { controlPlane: true } }, jsonPatches: [set] },
      { selector: { apiVersion: INFRA, kind: 'DockerMachineTemplate', matchResources: { machineDeploymentClass: { names: ['default-worker'] } } }, jsonPatches: [set] },
    ]);
  });
});

describe('templates', () => {
  it('mount the Docker socket into every machine', () => {
    const mounts = [{ containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }];
    expect(byName('DockerMachineTemplate', `${CLASS}-control-plane`).spec).toEqual({ template: { spec: { extraMounts: mounts } } });
    expect(byName('DockerMachineTemplate', `${CLASS}-default-worker`).spec).toEqual({ template: { spec: { extraMounts: mounts } } });
    expect(byName('DockerClusterTemplate', `${CLASS}-cluster`).spec).toEqual({ template: { spec: {} } });
  });

  it('configure kubeadm for containerd, local SANs and no disk-pressure eviction', () => {
    const kcp = byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`).spec as {
      template: { spec: { kubeadmConfigSpec: { clusterConfiguration: { apiServer: { certSANs: string[] }; controllerManager: { extraArgs: Json } }; initConfiguration: { nodeRegistration: Json }; joinConfiguration: { nodeRegistration: Json } } } };
    };
    const spec = kcp.template.spec.kubeadmConfigSpec;
    expect(spec.clusterConfiguration.apiServer.certSANs).toEqual(['localhost', '127.0.0.1', '0.0.0.0', 'host.docker.internal']);
    expect(spec.clusterConfiguration.controllerManager.extraArgs).toEqual({
      'enable-hostpath-provisioner': 'true',
      // Hardening (CIS 1.3.1–1.3.3, 1.3.7) on top of the stack's own argument.
      'bind-address': '127.0.0.1',
      profiling: 'false',
      'terminated-pod-gc-threshold': '1000',
      'use-service-account-credentials': 'true',
    });
    const registration = {
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      kubeletExtraArgs: { 'eviction-hard': 'nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%', 'fail-swap-on': 'false' },
    };
    expect(spec.initConfiguration.nodeRegistration).toEqual(registration);
    expect(spec.joinConfiguration.nodeRegistration).toEqual(registration);
    const worker = byName('KubeadmConfigTemplate', `${CLASS}-default-worker`).spec as { template: { spec: { joinConfiguration: { nodeRegistration: Json } } } };
    expect(worker.template.spec.joinConfiguration.nodeRegistration).toEqual(registration);
  });

  it('give every node the kubelet patch without protectKernelDefaults or sysctls, since CAPD nodes share the host kernel', () => {
    type Node = { files: { path: string; content?: string; permissions: string }[]; preKubeadmCommands: string[]; postKubeadmCommands: string[] };
    const kcs = (byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`).spec as { template: { spec: { kubeadmConfigSpec: Node & { initConfiguration: Json; joinConfiguration: Json } } } }).template.spec.kubeadmConfigSpec;
    const worker = (byName('KubeadmConfigTemplate', `${CLASS}-default-worker`).spec as { template: { spec: Node & { joinConfiguration: Json } } }).template.spec;
    const kpatch = '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json';
    for (const node of [kcs, worker]) {
      const patch = node.files.find((f) => f.path === kpatch);
      expect(patch?.permissions).toBe('0600');
      expect(JSON.parse(patch?.content ?? '{}')).toMatchObject({ kind: 'KubeletConfiguration', protectKernelDefaults: false, readOnlyPort: 0, serverTLSBootstrap: true });
      expect(node.files.some((f) => f.path.startsWith('/etc/sysctl.d/'))).toBe(false);
      expect(node.preKubeadmCommands).not.toContain('sysctl --system');
      expect(node.postKubeadmCommands).toEqual(['chmod 600 /var/lib/kubelet/config.yaml', 'for f in /etc/systemd/system/kubelet.service.d/10-kubeadm.conf /etc/systemd/system/kubelet.service /lib/systemd/system/kubelet.service /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; do [ ! -e "$f" ] || chmod 600 "$f"; done']);
    }
    expect(worker.files).toEqual(kcs.files.filter((f) => f.path === kpatch));
    expect(kcs.preKubeadmCommands).toEqual(['bash /etc/kube-proxy-patch.sh', 'getent group etcd >/dev/null || groupadd --system etcd', 'getent passwd etcd >/dev/null || useradd --system --gid etcd --home-dir /var/lib/etcd --no-create-home --shell /usr/sbin/nologin etcd', 'install -d -m 0700 -o etcd -g etcd /var/lib/etcd']);
    expect(kcs.initConfiguration.patches).toEqual({ directory: '/etc/kubernetes/patches' });
    expect(kcs.joinConfiguration.patches).toEqual({ directory: '/etc/kubernetes/patches' });
    expect(worker.joinConfiguration.patches).toEqual({ directory: '/etc/kubernetes/patches' });
  });
});

describe('addons', () => {
  it('pin each chart at the version its row of the versions table names, wrapped in a chart of the addon\'s name', () => {
    for (const b of bundles) {
      const row = dockerScs.versions.find((r) => r.kubernetes === b.identity.kubernetes.toString());
      const pinned = Object.fromEntries(
        ['cni', 'kubelet-csr-approver', 'metrics-server'].map((addon) => {
          const chart = yaml.load(file(b, `cluster-addon/${addon}/Chart.yaml`)) as { name: string; dependencies: { name: string; alias: string; version: string }[] };
          expect(chart.name).toBe(addon);
          expect(chart.dependencies.map((d) => d.alias)).toEqual([chart.dependencies[0].name]);
          return [chart.dependencies[0].name, chart.dependencies[0].version];
        }),
      );
      expect(pinned, b.path).toEqual({ cilium: row?.cilium, 'kubelet-csr-approver': row?.kubeletCsrApprover, 'metrics-server': row?.metricsServer });
    }
  });

  it('let the kubelet CSR approver run on uninitialized control planes, matching DNS-1123 node names without DNS', () => {
    const values = (yaml.load(file(b134, 'cluster-addon/kubelet-csr-approver/values.yaml')) as { 'kubelet-csr-approver': { providerRegex: string; bypassDnsResolution: boolean; tolerations: Json[] } })['kubelet-csr-approver'];
    const tolerated = (key: string) => values.tolerations.some((t) => t.key === key && t.operator === 'Exists' && t.effect === 'NoSchedule');
    for (const taint of ['node-role.kubernetes.io/control-plane', 'node.cloudprovider.kubernetes.io/uninitialized', 'node.kubernetes.io/not-ready']) expect(tolerated(taint), taint).toBe(true);
    const nodeName = new RegExp(values.providerRegex);
    for (const name of ['docker-scs-1-34-v1-md-0-x7k2p-abcde', 'node1.example.org']) expect(nodeName.test(name), name).toBe(true);
    for (const name of ['Node_1', '-node', 'node-', 'a..b']) expect(nodeName.test(name), name).toBe(false);
    expect(values.bypassDnsResolution).toBe(true);
  });

  it('label metrics-server with the API endpoint and choose its kubelet TLS from kubeletServingCertificates through overwrite.yaml', () => {
    const overwrite = yaml.load(file(b134, 'cluster-addon/metrics-server/overwrite.yaml')) as { values: string };
    expect(overwrite.values).toBe(
      '{{ $kubeletServingCertificates := true }}{{ with .Cluster.spec.topology }}{{ range .variables }}{{ if eq .name "kubeletServingCertificates" }}{{ $kubeletServingCertificates = .value }}{{ end }}{{ end }}{{ end }}\n' +
        'metrics-server:\n' +
        '  args: {{ ternary (list) (list "--kubelet-insecure-tls") $kubeletServingCertificates | toJson }}\n' +
        '  commonLabels:\n' +
        '    domain: {{ .Cluster.spec.controlPlaneEndpoint.host | toJson }}\n',
    );
    // No unconditional --kubelet-insecure-tls left in the static values.
    expect(yaml.load(file(b134, 'cluster-addon/metrics-server/values.yaml'))).toEqual({ 'metrics-server': { fullnameOverride: 'metrics-server' } });
  });

  it('keep Cilium in kube-system', () => {
    const values = yaml.load(file(b134, 'cluster-addon/cni/values.yaml')) as { cilium: Json };
    expect(values.cilium).toMatchObject({ namespaceOverride: 'kube-system', ipam: { mode: 'kubernetes' } });
  });

  it('stage the CNI, then the kubelet CSR approver, then metrics-server, and nothing else', () => {
    const config = yaml.load(file(b134, 'clusteraddon.yaml')) as { addonStages: Record<string, { name: string; action: string }[]> };
    const apply = [
      { name: 'cni', action: 'apply' },
      { name: 'kubelet-csr-approver', action: 'apply' },
      { name: 'metrics-server', action: 'apply' },
    ];
    expect(config.addonStages).toEqual({ AfterControlPlaneInitialized: apply, BeforeClusterUpgrade: apply });
  });
});
