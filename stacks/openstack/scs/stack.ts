import {
  OpenStackClusterTemplate,
  OpenStackClusterTemplateSpecTemplateSpecIdentityRefType as IdentityRefType,
  OpenStackClusterTemplateSpecTemplateSpecManagedSecurityGroupsAllNodesSecurityGroupRulesDirection as Direction,
  OpenStackClusterTemplateSpecTemplateSpecManagedSecurityGroupsAllNodesSecurityGroupRulesEtherType as EtherType,
  OpenStackClusterTemplateSpecTemplateSpecManagedSecurityGroupsAllNodesSecurityGroupRulesRemoteManagedGroups as ManagedGroup,
} from '../../../imports/capo-openstackclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { OpenStackMachineTemplate } from '../../../imports/capo-openstackmachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { cloudInitVariable } from '../../../constructs/cloud-init.ts';
import { ClusterClass } from '../../../constructs/cluster-class.ts';
import { certSANsFeature } from '../../../constructs/features/cert-sans.ts';
import { oidcFeature } from '../../../constructs/features/oidc.ts';
import { kubernetesHardening } from '../../../constructs/hardening/kubernetes-hardening.ts';
import { KubeadmConfigTemplate } from '../../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../../constructs/kubeadm-control-plane-template.ts';
import { defineClusterStack } from '../../../constructs/stack-definition.ts';
import { shipAddons } from '../../common-addons.ts';
import { DEFAULT_WORKER, defaultWorkerClass } from '../../default-worker.ts';
import { coreAddons } from './addons.ts';
import { apiServerLoadBalancerFeature } from './features/api-server-load-balancer.ts';
import { clusterNetworkFeature, defaultIdentityRef } from './features/cluster-network.ts';
import { controlPlaneMachinesFeature, DEFAULT_FLAVORS, IMAGE_NAME_DEFAULT, workerMachinesFeature } from './features/machines.ts';
import { sharedMachineAccessFeature, workerSecurityGroupsFeature } from './features/security-groups.ts';
import { nodeImage, openStackNodeImageBuild } from './node-images.ts';
import { versions } from './versions.ts';

// The external cloud controller manager (the ccm addon) sets provider IDs and zones.
const NODE_REGISTRATION = {
  name: cloudInitVariable('local_hostname'),
  kubeletExtraArgs: { 'cloud-provider': 'external', 'provider-id': `openstack:///${cloudInitVariable('instance_id')}` },
};

// Cilium's VXLAN overlay, health checks and Hubble between all nodes.
const CILIUM_RULES = [
  { name: 'VXLAN (Cilium)', description: 'Allow VXLAN traffic for Cilium', protocol: 'udp', port: 8472 },
  { name: 'HealthCheck (Cilium)', description: 'Allow HealthCheck traffic for Cilium', protocol: 'tcp', port: 4240 },
  { name: 'Hubble (Cilium)', description: 'Allow Hubble traffic for Cilium', protocol: 'tcp', port: 4244 },
];

/**
 * openstack/scs: OpenStack clusters through CAPO with Cilium, the OpenStack
 * CCM, Cinder CSI and metrics-server; parity with the SCS scs2 stack.
 */
export const openstackScs = defineClusterStack({
  provider: 'openstack',
  stack: 'scs',
  description: 'OpenStack (CAPO) clusters: Cilium, OpenStack CCM, Cinder CSI, metrics-server, ORC node images',
  versions,
  build(stack, row) {
    const version = stack.identity.kubernetes;
    const cluster = new OpenStackClusterTemplate(stack, 'OpenStackClusterTemplate', {
      metadata: { name: stack.templateName('cluster') },
      spec: {
        template: {
          spec: {
            identityRef: { ...defaultIdentityRef, type: IdentityRefType.SECRET },
            apiServerLoadBalancer: { enabled: false },
            managedSecurityGroups: {
              allowAllInClusterTraffic: false,
              allNodesSecurityGroupRules: CILIUM_RULES.map((r) => ({
                name: r.name,
                description: r.description,
                direction: Direction.INGRESS,
                etherType: EtherType.I_PV4,
                protocol: r.protocol,
                portRangeMin: r.port,
                portRangeMax: r.port,
                remoteManagedGroups: [ManagedGroup.CONTROLPLANE, ManagedGroup.WORKER],
              })),
            },
          },
        },
      },
    });
    // Placeholders the image and flavor patches always overwrite; the CRD
    // requires an image and a flavor, so the template carries the defaults.
    const defaultImage = { filter: { name: `${IMAGE_NAME_DEFAULT}-${version.toVersionTag()}` } };
    const controlPlaneMachines = new OpenStackMachineTemplate(stack, 'ControlPlaneOpenStackMachineTemplate', {
      metadata: { name: stack.templateName('control-plane') },
      spec: { template: { spec: { flavor: DEFAULT_FLAVORS.controlPlane, image: defaultImage } } },
    });
    const workerMachines = new OpenStackMachineTemplate(stack, 'WorkerOpenStackMachineTemplate', {
      metadata: { name: stack.templateName(DEFAULT_WORKER) },
      spec: { template: { spec: { flavor: DEFAULT_FLAVORS.worker, image: defaultImage } } },
    });
    const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', {
      name: stack.templateName('control-plane'),
      kubeadmConfigSpec: {
        clusterConfiguration: {
          controllerManager: { extraArgs: { 'cloud-provider': 'external' } },
          etcd: {
            local: {
              dataDir: '/var/lib/etcd',
              // Tuned for OpenStack's slower, network-attached disks.
              extraArgs: { 'election-timeout': '2500', 'heartbeat-interval': '250', 'snapshot-count': '6400' },
            },
          },
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
    const machines = { controlPlane: controlPlaneMachines, workers: workerMachines, workerClasses: [defaultWorker] };

    const clusterClass = new ClusterClass(stack, 'ClusterClass', {
      name: stack.clusterClassName,
      infrastructure: cluster,
      controlPlane: { template: controlPlane.resource, machineInfrastructure: controlPlaneMachines },
      workers: [defaultWorker],
      features: [
        apiServerLoadBalancerFeature(cluster),
        clusterNetworkFeature(cluster),
        controlPlaneMachinesFeature(controlPlaneMachines, version).feature,
        sharedMachineAccessFeature(machines),
        workerMachinesFeature(workerMachines, [defaultWorker], version).feature,
        workerSecurityGroupsFeature(machines),
        certSANsFeature(controlPlane),
        oidcFeature(controlPlane, version),
        kubernetesHardening({ controlPlane, workers: [{ bootstrap: workerBootstrap, classes: [defaultWorker] }], kubernetes: version, withOidc: true }),
      ],
    });
    stack.setClusterClass(clusterClass);

    shipAddons(stack, coreAddons(row));

    // ORC imports a finished image from its URL (the reference stack's
    // published build); the build instructions make an image with exactly
    // the components pinned here, for providers that build their own.
    stack.setNodeImageRelease('url');
    const image = `${IMAGE_NAME_DEFAULT}-${version.toVersionTag()}`;
    nodeImage(stack.nodeImages, { name: image, kubernetes: version, build: row.image, identity: defaultIdentityRef });
    stack.addNodeImageBuild(openStackNodeImageBuild(image, version, row.image, row.nodeImageComponents, stack.node.path));
  },
});
