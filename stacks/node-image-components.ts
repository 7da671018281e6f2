import type { NodeImageComponents } from '../constructs/node-image/components.ts';
import type { KubernetesMinor } from '../constructs/kubernetes-version.ts';

/**
 * The container runtime and node tools of every node image, per Kubernetes
 * minor: the single table the node image build instructions of every stack
 * take them from.
 *
 * Checksums are the linux/amd64 sha256 of each upstream release file, as
 * recorded by kubernetes-sigs/kubespray at commit
 * 46dbdd3994b32640bcd806b0097f50e8fdf1d514,
 * roles/kubespray_defaults/vars/main/checksums.yml (containerd_archive_checksums,
 * runc_checksums, crictl_checksums, cni_binary_checksums). The build script
 * compares them with the checksum files image-builder trusts before it builds.
 *
 * containerd 2.2 with runc 1.3 serves every minor shipped; crictl follows the
 * Kubernetes minor where a release exists (no 1.32 release of cri-tools has a
 * recorded checksum, so 1.32 uses crictl 1.33, which supports the 1.32 CRI);
 * the pause image is the one kubeadm of that minor pulls.
 */
export const NODE_IMAGE_COMPONENTS: Readonly<Record<KubernetesMinor, NodeImageComponents>> = {
  '1.32': {
    containerd: { version: '2.2.7', sha256: '91cd216ea26a1b8b512219d3f205375c967e7b7de4dae571bc3dd16bfacd34b5' },
    runc: { version: '1.3.6', sha256: '3f3921dbbee7723e9868f97e88e51ffc910206e3ba55646e74d93d24ea76023c' },
    crictl: { version: '1.33.0', sha256: '8307399e714626e69d1213a4cd18c8dec3d0201ecdac009b1802115df8973f0f' },
    cniPlugins: { version: '1.7.1', sha256: '1a28a0506bfe5bcdc981caf1a49eeab7e72da8321f1119b7be85f22621013098' },
    pauseImage: 'registry.k8s.io/pause:3.10',
  },
  '1.33': {
    containerd: { version: '2.2.7', sha256: '91cd216ea26a1b8b512219d3f205375c967e7b7de4dae571bc3dd16bfacd34b5' },
    runc: { version: '1.3.6', sha256: '3f3921dbbee7723e9868f97e88e51ffc910206e3ba55646e74d93d24ea76023c' },
    crictl: { version: '1.33.0', sha256: '8307399e714626e69d1213a4cd18c8dec3d0201ecdac009b1802115df8973f0f' },
    cniPlugins: { version: '1.7.1', sha256: '1a28a0506bfe5bcdc981caf1a49eeab7e72da8321f1119b7be85f22621013098' },
    pauseImage: 'registry.k8s.io/pause:3.10',
  },
  '1.34': {
    containerd: { version: '2.2.7', sha256: '91cd216ea26a1b8b512219d3f205375c967e7b7de4dae571bc3dd16bfacd34b5' },
    runc: { version: '1.3.6', sha256: '3f3921dbbee7723e9868f97e88e51ffc910206e3ba55646e74d93d24ea76023c' },
    crictl: { version: '1.34.0', sha256: 'a8ff2a3edb37a98daf3aba7c3b284fe0aa5bff24166d896ab9ef64c8913c9f51' },
    cniPlugins: { version: '1.7.1', sha256: '1a28a0506bfe5bcdc981caf1a49eeab7e72da8321f1119b7be85f22621013098' },
    pauseImage: 'registry.k8s.io/pause:3.10.1',
  },
};
