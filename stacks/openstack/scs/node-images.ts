import type { Construct } from 'constructs';
import {
  Image,
  ImageSpecManagementPolicy as ManagementPolicy,
  ImageSpecResourceContentDiskFormat as DiskFormat,
  ImageSpecResourceContentDownloadHashAlgorithm as HashAlgorithm,
  ImageSpecResourcePropertiesArchitecture as Architecture,
  ImageSpecResourcePropertiesHardwareDiskBus as DiskBus,
  ImageSpecResourcePropertiesHardwareScsiModel as ScsiModel,
  ImageSpecResourcePropertiesHardwareVifModel as VifModel,
  ImageSpecResourcePropertiesOperatingSystemDistro as Distro,
  ImageSpecResourceVisibility as Visibility,
} from '../../../imports/orc-images-openstack.k-orc.cloud.ts';
import type { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import { NodeImageBuild as NodeImageBuildInstructions } from '../../../constructs/node-image/node-image-build.ts';
import type { NodeImageComponents } from '../../../constructs/node-image/components.ts';
import type { NodeImageBuild } from './versions.ts';

export interface NodeImageProps {
  /** Image name; the default `imageName` plus `-v<version>` so `imageAddVersion` finds it. */
  readonly name: string;
  readonly kubernetes: KubernetesVersion;
  readonly build: NodeImageBuild;
  /** Secret and cloud in it that ORC uses to upload the image. */
  readonly identity: { readonly name: string; readonly cloudName: string };
}

/**
 * The node image of one Kubernetes version as an ORC Image: ORC downloads it,
 * verifies the sha256 and uploads it to the project (`imageIsOrc: true`).
 */
export function nodeImage(scope: Construct, props: NodeImageProps): Image {
  if (!/^[0-9a-f]{64}$/.test(props.build.sha256)) {
    throw new Error(`node image ${props.name}: sha256 must be 64 lower-case hex digits, got '${props.build.sha256}'`);
  }
  if (!props.build.url.startsWith('https://')) throw new Error(`node image ${props.name}: url must be https://, got '${props.build.url}'`);
  return new Image(scope, props.name, {
    metadata: { name: props.name },
    spec: {
      cloudCredentialsRef: { cloudName: props.identity.cloudName, secretName: props.identity.name },
      managementPolicy: ManagementPolicy.MANAGED,
      resource: {
        visibility: Visibility.PRIVATE,
        properties: {
          hardware: { diskBus: DiskBus.SCSI, scsiModel: ScsiModel.VIRTIO_HYPHEN_SCSI, vifModel: VifModel.VIRTIO, qemuGuestAgent: true, rngModel: 'virtio' },
          architecture: Architecture.X86_UNDERSCORE_64,
          minDiskGb: 20,
          minMemoryMb: 2048,
          operatingSystem: { distro: Distro.UBUNTU, version: props.build.ubuntu },
        },
        content: {
          diskFormat: DiskFormat.QCOW2,
          download: { url: props.build.url, hash: { algorithm: HashAlgorithm.SHA256, value: props.build.sha256 } },
        },
      },
    },
  });
}

/**
 * How the image behind the URL is built: image-builder's OpenStack target on
 * the row's Ubuntu release, with the runtime versions of the Kubernetes
 * minor, the hardening sysctls on the kernel command line (the default), and
 * a qcow2 disk as ORC imports it.
 */
export function openStackNodeImageBuild(name: string, kubernetes: KubernetesVersion, build: NodeImageBuild, components: NodeImageComponents, where: string): NodeImageBuildInstructions {
  return new NodeImageBuildInstructions(
    {
      target: 'openstack',
      build: `ubuntu-${build.ubuntu.replace('.', '')}`,
      kubernetes,
      components,
      imageName: name,
      variables: { image_disk_format: 'qcow2' },
    },
    `${where} node image build`,
  );
}
