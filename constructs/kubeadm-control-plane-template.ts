import type { Construct } from 'constructs';
import {
  KubeadmControlPlaneTemplateV1Beta1,
  type KubeadmControlPlaneTemplateV1Beta1SpecTemplateSpec,
  type KubeadmControlPlaneTemplateV1Beta1SpecTemplateSpecKubeadmConfigSpec as KcpConfigSpec,
} from '../imports/capi-kubeadmcontrolplanetemplates-controlplane.cluster.x-k8s.io.ts';
import { KubeadmControlPlaneTemplateObject } from './api-objects.ts';
import { ExtraArgs, type ExtraArgComponent } from './extra-args.ts';
import { pointer } from './json-pointer.ts';
import { KubeadmBootstrapContent } from './kubeadm-bootstrap-content.ts';

/** A host path mounted into the kube-apiserver static pod. */
export interface ApiServerVolume {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  /** @default true */
  readonly readOnly?: boolean;
  /** @default 'File' */
  readonly pathType?: 'File' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate';
}

export interface KubeadmControlPlaneTemplateProps {
  /** `metadata.name`. */
  readonly name: string;
  /**
   * The kubeadm configuration. Files, commands, extra args and volumes added
   * through the methods are merged into it.
   * @default - an empty configuration with every list and map that patches add to
   */
  readonly kubeadmConfigSpec?: KcpConfigSpec;
  /**
   * Roll out control plane machines whose certificates expire within this many days.
   * @default - no certificate-driven rollout
   */
  readonly certificatesExpiryDays?: number;
}

/**
 * JSON pointers into a KubeadmControlPlaneTemplate, in one place so patches
 * never paste path literals.
 */
export const KubeadmControlPlaneTemplatePaths = {
  kubeadmConfigSpec: '/spec/template/spec/kubeadmConfigSpec',
  imageRepository: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/imageRepository',
  certSANs: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/certSANs',
  extraArg: (component: ExtraArgComponent, name: string): string =>
    pointer('spec', 'template', 'spec', 'kubeadmConfigSpec', 'clusterConfiguration', ...ExtraArgs.segments(component), name),
  files: '/spec/template/spec/kubeadmConfigSpec/files',
  appendFile: '/spec/template/spec/kubeadmConfigSpec/files/-',
  apiServerExtraVolumes: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraVolumes',
  appendApiServerExtraVolume: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraVolumes/-',
  preKubeadmCommands: '/spec/template/spec/kubeadmConfigSpec/preKubeadmCommands',
  appendPreKubeadmCommand: '/spec/template/spec/kubeadmConfigSpec/preKubeadmCommands/-',
  postKubeadmCommands: '/spec/template/spec/kubeadmConfigSpec/postKubeadmCommands',
} as const;

/**
 * A KubeadmControlPlaneTemplate (controlplane.cluster.x-k8s.io/v1beta1) that
 * always renders the lists and maps patches add to (files, extra args,
 * extraVolumes, commands), so an `add` never lands on a missing parent.
 */
export class KubeadmControlPlaneTemplate extends KubeadmBootstrapContent {
  public readonly resource: KubeadmControlPlaneTemplateV1Beta1;
  public readonly name: string;
  private readonly volumes: ApiServerVolume[] = [];
  private readonly extraArgs = new ExtraArgs();
  private certificatesExpiryDays: number | undefined;

  public constructor(scope: Construct, id: string, private readonly props: KubeadmControlPlaneTemplateProps) {
    super(scope, id);
    this.name = props.name;
    if (props.certificatesExpiryDays !== undefined) this.setCertificatesExpiryDays(props.certificatesExpiryDays);
    this.resource = new KubeadmControlPlaneTemplateObject(this, 'Resource', props.name, () => this.renderSpec());
  }

  public addApiServerVolumes(...volumes: ApiServerVolume[]): void {
    this.volumes.push(...volumes);
  }

  /** Rolls out control plane machines whose certificates expire within `days` (rolloutBefore). */
  public setCertificatesExpiryDays(days: number): void {
    if (!Number.isInteger(days) || days < 7) {
      throw new Error(`${this.node.path}: 'certificatesExpiryDays' must be an integer of at least 7 (Cluster API's minimum), got ${days}`);
    }
    this.certificatesExpiryDays = days;
  }

  /** Sets extra args of a control plane component; setting one key to two values is an error. */
  public addExtraArgs(component: ExtraArgComponent, args: Readonly<Record<string, string>>): void {
    this.extraArgs.add(component, args, this.node.path);
  }

  private renderSpec(): KubeadmControlPlaneTemplateV1Beta1SpecTemplateSpec {
    const base: KcpConfigSpec = this.props.kubeadmConfigSpec ?? {};
    const content = this.renderBootstrapContent(base);
    const cc = base.clusterConfiguration ?? {};
    const args = (component: ExtraArgComponent, own: Readonly<Record<string, string>> | undefined) =>
      this.extraArgs.merged(component, own, this.node.path);
    const init = base.initConfiguration ?? {};
    const join = base.joinConfiguration ?? {};
    const kubeadmConfigSpec: KcpConfigSpec = {
      ...base,
      clusterConfiguration: {
        ...cc,
        apiServer: {
          ...cc.apiServer,
          extraArgs: args('apiServer', cc.apiServer?.extraArgs),
          extraVolumes: [
            ...(cc.apiServer?.extraVolumes ?? []),
            ...this.volumes.map((v) => ({
              name: v.name,
              hostPath: v.hostPath,
              mountPath: v.mountPath,
              readOnly: v.readOnly ?? true,
              pathType: v.pathType ?? 'File',
            })),
          ],
        },
        controllerManager: { ...cc.controllerManager, extraArgs: args('controllerManager', cc.controllerManager?.extraArgs) },
        scheduler: { ...cc.scheduler, extraArgs: args('scheduler', cc.scheduler?.extraArgs) },
        etcd: { ...cc.etcd, local: { ...cc.etcd?.local, extraArgs: args('etcd', cc.etcd?.local?.extraArgs) } },
      },
      initConfiguration: {
        ...init,
        nodeRegistration: { ...init.nodeRegistration, kubeletExtraArgs: { ...init.nodeRegistration?.kubeletExtraArgs } },
        ...(this.patchesDirectory ? { patches: { directory: this.patchesDirectory } } : {}),
      },
      joinConfiguration: {
        ...join,
        nodeRegistration: { ...join.nodeRegistration, kubeletExtraArgs: { ...join.nodeRegistration?.kubeletExtraArgs } },
        ...(this.patchesDirectory ? { patches: { directory: this.patchesDirectory } } : {}),
      },
      files: [...(base.files ?? []), ...content.files],
      preKubeadmCommands: content.preKubeadmCommands,
      postKubeadmCommands: content.postKubeadmCommands,
    };
    return {
      kubeadmConfigSpec,
      ...(this.certificatesExpiryDays !== undefined ? { rolloutBefore: { certificatesExpiryDays: this.certificatesExpiryDays } } : {}),
    };
  }
}
