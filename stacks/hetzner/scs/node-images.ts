import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { NODE_IMAGE_SOURCE_ANNOTATION } from '../../../constructs/cluster-stack.ts';
import type { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import type { NodeImageBuild } from './versions.ts';

/**
 * Where the node images come from: Kubernetes image-builder's Hetzner Cloud
 * packer templates, which build a snapshot with kubeadm, kubelet and
 * containerd of one Kubernetes version and label it `caph-image-name`
 * (images/capi/packer/hcloud/packer.json), the label CAPH finds images by.
 */
export const IMAGE_BUILDER = {
  repository: 'https://github.com/kubernetes-sigs/image-builder',
  directory: 'images/capi',
  packerTemplates: 'images/capi/packer/hcloud',
  /** The packer templates on GitHub, for the docs. */
  url: 'https://github.com/kubernetes-sigs/image-builder/tree/main/images/capi/packer/hcloud',
} as const;

export interface NodeImageProps {
  /** Snapshot name and caph-image-name label: the default imageName plus `-v<version>`. */
  readonly name: string;
  readonly kubernetes: KubernetesVersion;
  readonly build: NodeImageBuild;
}

/**
 * The node image of one Kubernetes version. Hetzner Cloud has no image
 * resource a management cluster could reconcile (unlike OpenStack's ORC
 * Image), so the bundle carries the image's name and build recipe as a
 * ConfigMap: what to build, with which tool and variables, and the label
 * the snapshot must carry for `imageName` to find it.
 */
export function nodeImage(scope: Construct, props: NodeImageProps): ApiObject {
  const v = props.kubernetes;
  const ubuntu = props.build.ubuntu.replace('.', '');
  if (!/^[0-9]+\.[0-9]+$/.test(props.build.debRevision)) {
    throw new Error(`node image ${props.name}: debRevision must look like 1.1, got '${props.build.debRevision}'`);
  }
  const packerVars = [
    `image_name=${props.name}`,
    `kubernetes_semver=${v.toVersionTag()}`,
    `kubernetes_series=v${v.major}.${v.minor}`,
    `kubernetes_deb_version=${v.toString()}-${props.build.debRevision}`,
  ];
  return new ApiObject(scope, props.name, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: props.name,
      labels: { 'cluster-stacks.x-k8s.io/node-image': 'hcloud-snapshot' },
      annotations: { [NODE_IMAGE_SOURCE_ANNOTATION]: IMAGE_BUILDER.url },
    },
    data: {
      imageName: props.name,
      kubernetesVersion: v.toVersionTag(),
      ubuntu: props.build.ubuntu,
      builder: `${IMAGE_BUILDER.repository} (${IMAGE_BUILDER.packerTemplates})`,
      build: [
        `# In ${IMAGE_BUILDER.directory} of ${IMAGE_BUILDER.repository}, with packer and ansible installed by \`make deps-hcloud\`:`,
        'export HCLOUD_TOKEN=<token of the Hetzner Cloud project> HCLOUD_LOCATION=fsn1',
        `export PACKER_FLAGS="${packerVars.map((x) => `--var '${x}'`).join(' ')}"`,
        `make build-hcloud-ubuntu-${ubuntu}`,
        '',
      ].join('\n'),
      snapshotLabel: `caph-image-name=${props.name}`,
    },
  });
}
