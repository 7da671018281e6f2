import type { ApiObject } from 'cdk8s';
import { assertDnsLabel } from './names.ts';

export interface MachineDeploymentClassProps {
  /** The class name a Cluster's `topology.workers.machineDeployments[].class` selects. */
  readonly class: string;
  /** The bootstrap template (a KubeadmConfigTemplate) of the class's machines. */
  readonly bootstrap: ApiObject;
  /** The infrastructure machine template of the class's machines. */
  readonly infrastructure: ApiObject;
}

/**
 * A worker class of a ClusterClass (`spec.workers.machineDeployments[]`).
 * Patches select it by object, so a renamed class cannot leave a patch behind.
 */
export class MachineDeploymentClass {
  public readonly class: string;
  public readonly bootstrap: ApiObject;
  public readonly infrastructure: ApiObject;

  public constructor(props: MachineDeploymentClassProps) {
    assertDnsLabel(props.class, 'MachineDeployment class');
    this.class = props.class;
    this.bootstrap = props.bootstrap;
    this.infrastructure = props.infrastructure;
  }
}
