import {
  HetznerClusterTemplate,
  HetznerClusterTemplateSpecTemplateSpecControlPlaneLoadBalancerRegion as LoadBalancerRegion,
  HetznerClusterTemplateSpecTemplateSpecControlPlaneLoadBalancerType as LoadBalancerType,
  HetznerClusterTemplateSpecTemplateSpecControlPlaneRegions as Region,
  HetznerClusterTemplateSpecTemplateSpecHcloudNetworkNetworkZone as NetworkZone,
} from '../../../imports/caph-hetznerclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { HCloudMachineTemplate } from '../../../imports/caph-hcloudmachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { cloudInitVariable } from '../../../constructs/cloud-init.ts';
import { ClusterClass } from '../../../constructs/cluster-class.ts';
import { certSANsFeature } from '../../../constructs/features/cert-sans.ts';
import { imageRepositoryFeature } from '../../../constructs/features/image-repository.ts';
import { oidcFeature } from '../../../constructs/features/oidc.ts';
import { kubernetesHardening } from '../../../constructs/hardening/kubernetes-hardening.ts';
import { KubeadmConfigTemplate } from '../../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../../constructs/kubeadm-control-plane-template.ts';
import { defineClusterStack } from '../../../constructs/stack-definition.ts';
import { shipAddons } from '../../common-addons.ts';
import { DEFAULT_WORKER, defaultWorkerClass } from '../../default-worker.ts';
import { coreAddons } from './addons.ts';
import { accessFeature, TOKEN_SECRET_DEFAULTS } from './features/access.ts';
import { locationFeature } from './features/location.ts';
import { DEFAULT_IMAGE_NAME, DEFAULT_SERVER_TYPES, machinesFeature } from './features/machines.ts';
import { PRIVATE_NETWORK_DEFAULTS, privateNetworkFeature } from './features/private-network.ts';
import { nodeImage } from './node-images.ts';
import { NodeImageBuild as NodeImageBuildInstructions } from '../../../constructs/node-image/node-image-build.ts';
import { versions } from './versions.ts';

// The Hetzner cloud controller manager (the ccm addon) sets provider IDs,
// addresses and zones; the node name is the server name cloud-init reports.
const NODE_REGISTRATION = {
  name: cloudInitVariable('local_hostname'),
  kubeletExtraArgs: { 'cloud-provider': 'external' },
};

/**
 * hetzner/scs: Hetzner Cloud clusters through CAPH with Cilium, the Hetzner
 * cloud controller manager and CSI driver, metrics-server and the kubelet
 * CSR approver; node images are snapshots built with image-builder.
 */
export const hetznerScs = defineClusterStack({
  provider: 'hetzner',
  stack: 'scs',
  description: 'Hetzner Cloud (CAPH) clusters: Cilium, Hetzner CCM, Hetzner CSI, metrics-server, image-builder snapshots',
  versions,
  build(stack, row) {
    const version = stack.identity.kubernetes;
    // Every field a patch replaces carries the variable's default, so the
    // template is valid on its own and says what a default Cluster gets.
    const cluster = new HetznerClusterTemplate(stack, 'HetznerClusterTemplate', {
      metadata: { name: stack.templateName('cluster') },
      spec: {
        template: {
          spec: {
            controlPlaneRegions: [Region.FSN1],
            controlPlaneLoadBalancer: { enabled: true, type: LoadBalancerType.LB11, region: LoadBalancerRegion.FSN1 },
            hcloudNetwork: { enabled: true, cidrBlock: PRIVATE_NETWORK_DEFAULTS.cidr, subnetCidrBlock: PRIVATE_NETWORK_DEFAULTS.subnetCIDR, networkZone: NetworkZone.EU_HYPHEN_CENTRAL },
            hcloudPlacementGroups: [],
            hetznerSecretRef: { name: TOKEN_SECRET_DEFAULTS.name, key: { hcloudToken: TOKEN_SECRET_DEFAULTS.key } },
            // sshKeys is required; an empty object would be dropped on its way to the API server.
            sshKeys: { hcloud: [] },
          },
        },
      },
    });
    const defaultImage = `${DEFAULT_IMAGE_NAME}-${version.toVersionTag()}`;
    const controlPlaneMachines = new HCloudMachineTemplate(stack, 'ControlPlaneHCloudMachineTemplate', {
      metadata: { name: stack.templateName('control-plane') },
      spec: { template: { spec: { type: DEFAULT_SERVER_TYPES.controlPlane, imageName: defaultImage } } },
    });
    const workerMachines = new HCloudMachineTemplate(stack, 'WorkerHCloudMachineTemplate', {
      metadata: { name: stack.templateName(DEFAULT_WORKER) },
      spec: { template: { spec: { type: DEFAULT_SERVER_TYPES.worker, imageName: defaultImage } } },
    });
    const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', {
      name: stack.templateName('control-plane'),
      kubeadmConfigSpec: {
        clusterConfiguration: {
          controllerManager: { extraArgs: { 'cloud-provider': 'external' } },
        },
        initConfiguration: { nodeRegistration: NODE_REGISTRATION },
        joinConfiguration: { nodeRegistration: NODE_REGISTRATION },
      },
    });
    const workerBootstrap = new KubeadmConfigTemplate(stack, 'WorkerKubeadmConfigTemplate', {
      name: stack.templateName(DEFAULT_WORKER),
      spec: { joinConfiguration: { nodeRegistration: NODE_REGISTRATION } },
    });
    const defaultWorker = defaultWorkerClass(workerBootstrap, workerMachines);

    const clusterClass = new ClusterClass(stack, 'ClusterClass', {
      name: stack.clusterClassName,
      infrastructure: cluster,
      controlPlane: { template: controlPlane.resource, machineInfrastructure: controlPlaneMachines },
      workers: [defaultWorker],
      features: [
        locationFeature(cluster),
        privateNetworkFeature(cluster),
        accessFeature(cluster),
        machinesFeature({ cluster, controlPlane: controlPlaneMachines, workers: workerMachines, workerClasses: [defaultWorker] }),
        imageRepositoryFeature(controlPlane),
        certSANsFeature(controlPlane),
        oidcFeature(controlPlane, version),
        kubernetesHardening({ controlPlane, workers: [{ bootstrap: workerBootstrap, classes: [defaultWorker] }], kubernetes: version, withOidc: true }),
      ],
    });
    stack.setClusterClass(clusterClass);

    shipAddons(stack, coreAddons(row));

    // Hetzner Cloud imports no image: every project builds its snapshot
    // from the build instructions (image-builder's hcloud target).
    stack.setNodeImageRelease('build-instructions');
    nodeImage(stack.nodeImages, { name: defaultImage, kubernetes: version, build: row.image });
    const build = { target: 'hcloud', build: `ubuntu-${row.image.ubuntu.replace('.', '')}`, kubernetes: version, components: row.nodeImageComponents, imageName: defaultImage } as const;
    stack.addNodeImageBuild(new NodeImageBuildInstructions(build, `${stack.node.path} node image build`));
  },
});
