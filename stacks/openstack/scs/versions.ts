import type { NodeImageComponents } from '../../../constructs/node-image/components.ts';
import type { StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { KUBERNETES_VERSIONS } from '../../kubernetes-versions.ts';
import { NODE_IMAGE_COMPONENTS } from '../../node-image-components.ts';

/** A node image build for one Kubernetes patch version. */
export interface NodeImageBuild {
  /** Where ORC downloads the qcow2 image from. */
  readonly url: string;
  /** sha256 of the image file, hex. */
  readonly sha256: string;
  /** Ubuntu release the image is built on. */
  readonly ubuntu: '22.04' | '24.04';
}

/** Component versions of openstack/scs per Kubernetes minor (scs2's versions.yaml, typed). */
export interface OpenStackScsVersions extends StackVersionsRow {
  /** openstack-cloud-controller-manager Helm chart. */
  readonly occm: string;
  /** openstack-cinder-csi Helm chart. */
  readonly cinderCsi: string;
  /** Cilium Helm chart. */
  readonly cilium: string;
  /** kubelet-csr-approver Helm chart (https://postfinance.github.io/kubelet-csr-approver). */
  readonly kubeletCsrApprover: string;
  /** metrics-server Helm chart. */
  readonly metricsServer: string;
  /** The node image of this Kubernetes version. */
  readonly image: NodeImageBuild;
  /** Container runtime and node tools the node image is built with. */
  readonly nodeImageComponents: NodeImageComponents;
}

export const versions: readonly OpenStackScsVersions[] = [
  {
    kubernetes: KUBERNETES_VERSIONS['1.32'],
    nodeImageComponents: NODE_IMAGE_COMPONENTS['1.32'],
    occm: '2.32.1',
    cinderCsi: '2.32.2',
    cilium: '1.18.9',
    metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14',
    image: {
      url: 'https://swift.services.a.regiocloud.tech/swift/v1/AUTH_b182637428444b9aa302bb8d5a5a418c/openstack-k8s-capi-images/ubuntu-2204-kube-v1.32/ubuntu-2204-kube-v1.32.5.qcow2',
      sha256: '8bfad5cb331480a7530952d8d6ff41155c28b2941f8be7a3f0318ebd1569cf83',
      ubuntu: '22.04',
    },
  },
  {
    kubernetes: KUBERNETES_VERSIONS['1.33'],
    nodeImageComponents: NODE_IMAGE_COMPONENTS['1.33'],
    occm: '2.33.1',
    cinderCsi: '2.33.1',
    cilium: '1.18.9',
    metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14',
    image: {
      url: 'https://nbg1.your-objectstorage.com/osism/openstack-k8s-capi-images/ubuntu-2404-kube-v1.33/ubuntu-2404-kube-v1.33.10.qcow2',
      sha256: 'efc3817b565c407710724b9d7b51cbb433638aad6b613b64843da28d58a777aa',
      ubuntu: '24.04',
    },
  },
  {
    kubernetes: KUBERNETES_VERSIONS['1.34'],
    nodeImageComponents: NODE_IMAGE_COMPONENTS['1.34'],
    occm: '2.34.2',
    cinderCsi: '2.34.3',
    cilium: '1.18.9',
    metricsServer: '3.13.0', kubeletCsrApprover: '1.2.14',
    image: {
      url: 'https://nbg1.your-objectstorage.com/osism/openstack-k8s-capi-images/ubuntu-2404-kube-v1.34/ubuntu-2404-kube-v1.34.7.qcow2',
      sha256: 'f7bf12297833cca14de6d24081c8a01e99143651e4c01431b911375300550fe0',
      ubuntu: '24.04',
    },
  },
];
