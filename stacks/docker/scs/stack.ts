import { DockerClusterTemplateV1Beta1 } from '../../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { DockerMachineTemplateV1Beta1 } from '../../../imports/capd-dockermachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { ClusterClass } from '../../../constructs/cluster-class.ts';
import { imageRepositoryFeature } from '../../../constructs/features/image-repository.ts';
import { oidcFeature } from '../../../constructs/features/oidc.ts';
import { kubernetesHardening } from '../../../constructs/hardening/kubernetes-hardening.ts';
import { KubeadmConfigTemplate } from '../../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../../constructs/kubeadm-control-plane-template.ts';
import { defineClusterStack } from '../../../constructs/stack-definition.ts';
import { shipAddons } from '../../common-addons.ts';
import { DEFAULT_WORKER, defaultWorkerClass } from '../../default-worker.ts';
import { coreAddons } from './addons.ts';
import { customImageFeature } from './features/custom-image.ts';
import { versions } from './versions.ts';

// kubeadm would pick the docker socket if both are present in the kind image.
const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';
// Docker-in-docker nodes share the host's disk; eviction on disk pressure
// would evict everything on a developer machine.
const KUBELET_EXTRA_ARGS = { 'eviction-hard': 'nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%', 'fail-swap-on': 'false' };

/**
 * docker/scs: Cluster API's Docker provider (CAPD) with Cilium and
 * metrics-server, for local and CI clusters.
 */
export const dockerScs = defineClusterStack({
  provider: 'docker',
  stack: 'scs',
  description: 'CAPD (Docker) clusters for local development and CI: Cilium and metrics-server',
  versions,
  hardeningDeviations: [
    {
      id: 'kernel',
      reason:
        'CAPD machines are containers sharing the host kernel: writing /etc/sysctl.d and running `sysctl --system` would change the developer\'s machine, so the stack passes protectKernelDefaults: false (stacks/docker/scs/stack.ts).',
    },
  ],
  build(stack, row) {
    const infrastructure = new DockerClusterTemplateV1Beta1(stack, 'DockerClusterTemplate', {
      metadata: { name: stack.templateName('cluster') },
      spec: { template: { spec: {} } },
    });
    const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', {
      name: stack.templateName('control-plane'),
      kubeadmConfigSpec: {
        clusterConfiguration: {
          controllerManager: { extraArgs: { 'enable-hostpath-provisioner': 'true' } },
          // host.docker.internal is needed by kubetest on macOS, where ports are proxied.
          apiServer: { certSaNs: ['localhost', '127.0.0.1', '0.0.0.0', 'host.docker.internal'] },
        },
        initConfiguration: { nodeRegistration: { criSocket: CRI_SOCKET, kubeletExtraArgs: KUBELET_EXTRA_ARGS } },
        joinConfiguration: { nodeRegistration: { criSocket: CRI_SOCKET, kubeletExtraArgs: KUBELET_EXTRA_ARGS } },
      },
    });
    const machineSpec = { extraMounts: [{ containerPath: '/var/run/docker.sock', hostPath: '/var/run/docker.sock' }] };
    const controlPlaneMachines = new DockerMachineTemplateV1Beta1(stack, 'ControlPlaneDockerMachineTemplate', {
      metadata: { name: stack.templateName('control-plane') },
      spec: { template: { spec: machineSpec } },
    });
    const workerMachines = new DockerMachineTemplateV1Beta1(stack, 'WorkerDockerMachineTemplate', {
      metadata: { name: stack.templateName(DEFAULT_WORKER) },
      spec: { template: { spec: machineSpec } },
    });
    const workerBootstrap = new KubeadmConfigTemplate(stack, 'WorkerKubeadmConfigTemplate', {
      name: stack.templateName(DEFAULT_WORKER),
      spec: { joinConfiguration: { nodeRegistration: { criSocket: CRI_SOCKET, kubeletExtraArgs: KUBELET_EXTRA_ARGS } } },
    });
    const defaultWorker = defaultWorkerClass(workerBootstrap, workerMachines);

    const clusterClass = new ClusterClass(stack, 'ClusterClass', {
      name: stack.clusterClassName,
      infrastructure,
      controlPlane: { template: controlPlane.resource, machineInfrastructure: controlPlaneMachines },
      workers: [defaultWorker],
      features: [
        imageRepositoryFeature(controlPlane),
        customImageFeature({ controlPlane: controlPlaneMachines, workers: workerMachines, workerClasses: [defaultWorker], kubernetes: stack.identity.kubernetes }),
        oidcFeature(controlPlane, stack.identity.kubernetes),
        // Docker machines share the host's kernel: sysctls would change the developer's machine.
        kubernetesHardening({
          controlPlane,
          workers: [{ bootstrap: workerBootstrap, classes: [defaultWorker] }],
          kubernetes: stack.identity.kubernetes,
          protectKernelDefaults: false,
          withOidc: true,
        }),
      ],
    });
    stack.setClusterClass(clusterClass);

    shipAddons(stack, coreAddons(row));
  },
});
