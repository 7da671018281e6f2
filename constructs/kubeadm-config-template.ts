import type { Construct } from 'constructs';
import {
  KubeadmConfigTemplateV1Beta1,
  type KubeadmConfigTemplateV1Beta1SpecTemplateSpec as WorkerConfigSpec,
} from '../imports/capi-kubeadmconfigtemplates-bootstrap.cluster.x-k8s.io.ts';
import { KubeadmConfigTemplateObject } from './api-objects.ts';
import { KubeadmBootstrapContent } from './kubeadm-bootstrap-content.ts';

export interface KubeadmConfigTemplateProps {
  /** `metadata.name`. */
  readonly name: string;
  /**
   * The worker's kubeadm configuration. Files and commands added through the
   * methods are appended.
   * @default - an empty join configuration with every list and map that patches add to
   */
  readonly spec?: WorkerConfigSpec;
}

/** JSON pointers into a KubeadmConfigTemplate. */
export const KubeadmConfigTemplatePaths = {
  spec: '/spec/template/spec',
  files: '/spec/template/spec/files',
  appendFile: '/spec/template/spec/files/-',
  preKubeadmCommands: '/spec/template/spec/preKubeadmCommands',
  appendPreKubeadmCommand: '/spec/template/spec/preKubeadmCommands/-',
  kubeletExtraArgs: '/spec/template/spec/joinConfiguration/nodeRegistration/kubeletExtraArgs',
} as const;

/**
 * A worker bootstrap template: KubeadmConfigTemplate
 * (bootstrap.cluster.x-k8s.io/v1beta1) that always renders files, commands
 * and kubelet extra args, so patches can add to them.
 */
export class KubeadmConfigTemplate extends KubeadmBootstrapContent {
  public readonly resource: KubeadmConfigTemplateV1Beta1;
  public readonly name: string;

  public constructor(scope: Construct, id: string, private readonly props: KubeadmConfigTemplateProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new KubeadmConfigTemplateObject(this, 'Resource', props.name, () => this.renderSpec());
  }

  private renderSpec(): WorkerConfigSpec {
    const base = this.props.spec ?? {};
    const content = this.renderBootstrapContent(base);
    const join = base.joinConfiguration ?? {};
    return {
      ...base,
      joinConfiguration: {
        ...join,
        nodeRegistration: { ...join.nodeRegistration, kubeletExtraArgs: { ...join.nodeRegistration?.kubeletExtraArgs } },
        ...(this.patchesDirectory ? { patches: { directory: this.patchesDirectory } } : {}),
      },
      files: [...(base.files ?? []), ...content.files],
      preKubeadmCommands: content.preKubeadmCommands,
      postKubeadmCommands: content.postKubeadmCommands,
    };
  }
}
