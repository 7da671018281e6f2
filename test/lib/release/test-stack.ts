import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DockerClusterTemplateV1Beta1 } from '../../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { DockerMachineTemplateV1Beta1 } from '../../../imports/capd-dockermachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { ClusterClass } from '../../../constructs/cluster-class.ts';
import { KubeadmConfigTemplate } from '../../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../../constructs/kubeadm-control-plane-template.ts';
import { MachineDeploymentClass } from '../../../constructs/machine-deployment-class.ts';
import { defineClusterStack, type ClusterStackDefinition, type StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { nodeImage } from '../../../stacks/openstack/scs/node-images.ts';

/**
 * A small stack for release tests: one Kubernetes minor (1.34), one knob per
 * component, so a test can change exactly one of ClusterClass content, addon
 * content, node image content or the Kubernetes patch version.
 */
export interface TinyRow extends StackVersionsRow {
  /** ClusterClass content: the controller manager's `enable-hostpath-provisioner` extra arg. */
  readonly hostpathProvisioner: string;
  /** Addon content: metrics-server's `replicas` value. */
  readonly metricsServerReplicas: number;
  /** Node image content: the image's sha256. */
  readonly imageSha256: string;
}

export const TINY_BASE: TinyRow = {
  kubernetes: '1.34.7',
  hostpathProvisioner: 'true',
  metricsServerReplicas: 1,
  imageSha256: 'a'.repeat(64),
};

/** `<provider>-<stack>-<major>-<minor>` of the tiny stack. */
export const TINY_NAME = 'docker-tiny-1-34';
/** Its bundle folder below dist/. */
export const TINY_BUNDLE = 'docker/tiny/1-34';
/** Its version record, relative to the root. */
export const TINY_RECORD = 'stacks/docker/tiny/version-record/1-34.json';

/** The tiny stack with `change` applied to its only versions row. */
export function tinyStack(change: Partial<TinyRow> = {}): ClusterStackDefinition<StackVersionsRow> {
  const row: TinyRow = { ...TINY_BASE, ...change };
  return defineClusterStack<TinyRow>({
    provider: 'docker',
    stack: 'tiny',
    description: 'release test stack',
    versions: [row],
    build(stack, r) {
      const infrastructure = new DockerClusterTemplateV1Beta1(stack, 'DockerClusterTemplate', {
        metadata: { name: stack.templateName('cluster') },
        spec: { template: { spec: {} } },
      });
      const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', {
        name: stack.templateName('control-plane'),
        kubeadmConfigSpec: { clusterConfiguration: { controllerManager: { extraArgs: { 'enable-hostpath-provisioner': r.hostpathProvisioner } } } },
      });
      const machines = new DockerMachineTemplateV1Beta1(stack, 'DockerMachineTemplate', {
        metadata: { name: stack.templateName('machines') },
        spec: { template: { spec: {} } },
      });
      const bootstrap = new KubeadmConfigTemplate(stack, 'WorkerKubeadmConfigTemplate', { name: stack.templateName('default-worker') });
      const worker = new MachineDeploymentClass({ class: 'default-worker', bootstrap: bootstrap.resource, infrastructure: machines });
      stack.setClusterClass(new ClusterClass(stack, 'ClusterClass', {
        name: stack.clusterClassName,
        infrastructure,
        controlPlane: { template: controlPlane.resource, machineInfrastructure: machines },
        workers: [worker],
      }));
      const metricsServer = stack.addAddon(new ClusterAddon({
        name: 'metrics-server',
        description: 'Metrics Server',
        chart: { name: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0' },
        values: { replicas: r.metricsServerReplicas },
      }));
      stack.setAddonStages({ AfterControlPlaneInitialized: [{ addon: metricsServer }] });
      stack.setNodeImageRelease('url');
      nodeImage(stack.nodeImages, {
        name: 'tiny-node-image',
        kubernetes: stack.identity.kubernetes,
        build: { url: 'https://images.example.org/tiny.qcow2', sha256: r.imageSha256, ubuntu: '24.04' },
        identity: { name: 'openstack', cloudName: 'openstack' },
      });
    },
  });
}

/** A fresh, empty project root in the temp folder. */
export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'cs-'));
}

/** A copy of `root` in a fresh temp folder. */
export function copyRoot(root: string): string {
  const copy = tempRoot();
  cpSync(root, copy, { recursive: true });
  return copy;
}

/** Every file below `dir`, relative path → bytes; empty when `dir` does not exist. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}
