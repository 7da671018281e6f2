import type { ApiObject } from 'cdk8s';
import type { KubeadmConfigTemplate } from '../constructs/kubeadm-config-template.ts';
import { MachineDeploymentClass } from '../constructs/machine-deployment-class.ts';

/**
 * The worker class every shipped stack offers, as the reference stacks name
 * it; its templates are `stack.templateName(DEFAULT_WORKER)`. Clusters and
 * the e2e and management suites select it by this name, and an upgrade must
 * keep it (Cluster API refuses a class change that drops a worker class).
 */
export const DEFAULT_WORKER = 'default-worker';

/** The `default-worker` MachineDeployment class over its bootstrap and machine templates. */
export function defaultWorkerClass(bootstrap: KubeadmConfigTemplate, infrastructure: ApiObject): MachineDeploymentClass {
  return new MachineDeploymentClass({ class: DEFAULT_WORKER, bootstrap: bootstrap.resource, infrastructure });
}
