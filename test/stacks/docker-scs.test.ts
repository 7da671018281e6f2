import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { synthesize, type Bundle } from '../../lib/synth.ts';
import { dockerScs } from '../../stacks/docker/scs/stack.ts';

const bundles = synthesize([dockerScs as ClusterStackDefinition<StackVersionsRow>]);
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

const docs = yaml.loadAll(file(b134, 'cluster-class.yaml')) as Doc[];
const clusterClass = docs[0] as unknown as ClusterClassJson;
const byName = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} is missing`);
  return d;
};

describe('docker/scs bundles', () => {
  it('exist for Kubernetes 1.32 to 1.34 with versioned class names', () => {
    expect(bundles.map((b) => [b.path, b.clusterClassName])).toEqual([
      ['docker/scs/1-32', 'docker-scs-1-32-v1'],
      ['docker/scs/1-33', 'docker-scs-1-33-v1'],
      ['docker/scs/1-34', 'docker-scs-1-34-v1'],
    ]);
  });

  it('ship the CNI and metrics-server only, and no node-images.yaml', () => {
    expect(b134.files.map((f) => f.path)).toEqual([
      'cluster-addon/cni/Chart.yaml',
      'cluster-addon/cni/values.yaml',
      'cluster-addon/metrics-server/Chart.yaml',
      'cluster-addon/metrics-server/overwrite.yaml',
      'cluster-addon/metrics-server/values.yaml',
      'cluster-class.yaml',
      'clusteraddon.yaml',
      'metadata.yaml',
    ]);
    for (const b of bundles) expect(b.files.some((f) => f.path === 'node-images.yaml'), b.path).toBe(false);
  });

  it('write metadata.yaml with the Kubernetes patch version of each minor', () => {
    expect(bundles.map((b) => (yaml.load(file(b, 'metadata.yaml')) as { versions: { kubernetes: string } }).versions.kubernetes)).toEqual(['v1.32.5', 'v1.33.10', 'v1.34.7']);
    expect(yaml.load(file(b134, 'metadata.yaml'))).toEqual({
      apiVersion: 'metadata.clusterstack.x-k8s.io/v1alpha1',
      versions: { clusterStack: 'v1', kubernetes: 'v1.34.7', components: { clusterAddon: 'v1', nodeImage: 'v1' } },
    });
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

  it('declares imageRepository and customImage, both empty by default', () => {
    expect(clusterClass.spec.variables.map((v) => [v.name, v.required, v.schema.openAPIV3Schema.type, v.schema.openAPIV3Schema.default])).toEqual([
      ['imageRepository', false, 'string', ''],
      ['customImage', false, 'string', ''],
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
    expect(clusterClass.spec.patches.map((p) => p.name)).toEqual(['imageRepository', 'customImage']);
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
    expect(spec.clusterConfiguration.controllerManager.extraArgs).toEqual({ 'enable-hostpath-provisioner': 'true' });
    const registration = {
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      kubeletExtraArgs: { 'eviction-hard': 'nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%', 'fail-swap-on': 'false' },
    };
    expect(spec.initConfiguration.nodeRegistration).toEqual(registration);
    expect(spec.joinConfiguration.nodeRegistration).toEqual(registration);
    const worker = byName('KubeadmConfigTemplate', `${CLASS}-default-worker`).spec as { template: { spec: { joinConfiguration: { nodeRegistration: Json } } } };
    expect(worker.template.spec.joinConfiguration.nodeRegistration).toEqual(registration);
  });
});

describe('addons', () => {
  it('pin Cilium and metrics-server', () => {
    expect((yaml.load(file(b134, 'cluster-addon/cni/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'cilium', alias: 'cilium', repository: 'https://helm.cilium.io/', version: '1.18.9' },
    ]);
    expect(yaml.load(file(b134, 'cluster-addon/metrics-server/Chart.yaml'))).toEqual({
      apiVersion: 'v2',
      name: 'metrics-server',
      type: 'application',
      description: 'Metrics Server',
      version: 'v1',
      dependencies: [{ name: 'metrics-server', alias: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0' }],
    });
  });

  it('label metrics-server with the API endpoint through overwrite.yaml', () => {
    const overwrite = yaml.load(file(b134, 'cluster-addon/metrics-server/overwrite.yaml')) as { values: string };
    expect(overwrite.values).toBe('metrics-server:\n  commonLabels:\n    domain: {{ .Cluster.spec.controlPlaneEndpoint.host | toJson }}\n');
  });

  it('keep Cilium in kube-system', () => {
    const values = yaml.load(file(b134, 'cluster-addon/cni/values.yaml')) as { cilium: Json };
    expect(values.cilium).toMatchObject({ namespaceOverride: 'kube-system', ipam: { mode: 'kubernetes' } });
  });

  it('stage the CNI, then metrics-server, and nothing else', () => {
    const config = yaml.load(file(b134, 'clusteraddon.yaml')) as { addonStages: Record<string, { name: string; action: string }[]> };
    const apply = [
      { name: 'cni', action: 'apply' },
      { name: 'metrics-server', action: 'apply' },
    ];
    expect(config.addonStages).toEqual({ AfterControlPlaneInitialized: apply, BeforeClusterUpgrade: apply });
  });
});
