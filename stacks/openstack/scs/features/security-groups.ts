import type { ApiObject } from 'cdk8s';
import { isSet, ne } from '../../../../constructs/expression.ts';
import type { MachineDeploymentClass } from '../../../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature } from '../../../../constructs/patch.ts';
import { each, type TemplateValue } from '../../../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../../../constructs/variable.ts';
import { VariableSchema } from '../../../../constructs/variable-schema.ts';
import { OpenStackMachineTemplatePaths as Paths } from '../paths.ts';

const names = (description: string) =>
  VariableSchema.array(VariableSchema.string(), { default: [], example: ['security-group-1'], description });
const ids = (description: string) =>
  VariableSchema.array(VariableSchema.string({ format: 'uuid4' }), { default: [], example: ['9ae2f488-30a3-4629-bd51-07acb8eb4278'], description });

export const securityGroups = new ClusterClassVariable('securityGroups', {
  schema: names('Names of extra security groups for worker and control plane nodes. Ignored if securityGroupIDs is set.'),
});
export const securityGroupIDs = new ClusterClassVariable('securityGroupIDs', {
  schema: ids('UUIDs of extra security groups for worker and control plane nodes.'),
});
export const workerSecurityGroups = new ClusterClassVariable('workerSecurityGroups', {
  schema: names('Names of extra security groups for worker nodes. Ignored if workerSecurityGroupIDs is set.'),
});
export const workerSecurityGroupIDs = new ClusterClassVariable('workerSecurityGroupIDs', {
  schema: ids('UUIDs of extra security groups for worker nodes.'),
});
export const sshKeyName = new ClusterClassVariable('sshKeyName', {
  schema: VariableSchema.string({ default: '', example: 'capi-keypair', description: 'The SSH key to inject into the nodes (for debugging).' }),
});

const byName = (list: typeof securityGroups.ref): TemplateValue => each(list, (name) => ({ filter: { name } }));
const byId = (list: typeof securityGroupIDs.ref): TemplateValue => each(list, (id) => ({ id }));

export interface MachineTemplates {
  readonly controlPlane: ApiObject;
  readonly workers: ApiObject;
  readonly workerClasses: readonly MachineDeploymentClass[];
}

/**
 * Security groups and SSH key of control plane and worker machines.
 * Order matters: a later patch overwrites an earlier one, so IDs win over
 * names and worker-specific settings over shared ones.
 */
export function sharedMachineAccessFeature(t: MachineTemplates): ClusterClassFeature {
  const both = (template: ApiObject) => [PatchSelector.controlPlane(template), PatchSelector.machineDeploymentClasses(t.workers, t.workerClasses)];
  const definitions = (value: PatchValue, path: string) => both(t.controlPlane).map((selector) => ({ selector, jsonPatches: [JsonPatch.add(path, value)] }));
  return {
    variables: [securityGroups, securityGroupIDs, sshKeyName],
    patches: [
      new ClusterClassPatch({
        name: 'securityGroups',
        description: 'Sets extra security groups, by name, of worker and control plane nodes.',
        enabledIf: isSet(securityGroups.ref),
        definitions: definitions(PatchValue.template(byName(securityGroups.ref)), Paths.securityGroups),
      }),
      new ClusterClassPatch({
        name: 'securityGroupIDs',
        description: 'Sets extra security groups, by UUID, of worker and control plane nodes.',
        enabledIf: isSet(securityGroupIDs.ref),
        definitions: definitions(PatchValue.template(byId(securityGroupIDs.ref)), Paths.securityGroups),
      }),
      new ClusterClassPatch({
        name: 'sshKeyName',
        description: 'Sets the SSH key injected into the nodes.',
        enabledIf: ne(sshKeyName.ref, ''),
        definitions: definitions(PatchValue.variable(sshKeyName.ref), Paths.sshKeyName),
      }),
    ],
  };
}

/** Worker-only security groups; placed after the shared ones so they win. */
export function workerSecurityGroupsFeature(t: MachineTemplates): ClusterClassFeature {
  const selector = PatchSelector.machineDeploymentClasses(t.workers, t.workerClasses);
  return {
    variables: [workerSecurityGroups, workerSecurityGroupIDs],
    patches: [
      new ClusterClassPatch({
        name: 'workerSecurityGroups',
        description: 'Sets extra security groups, by name, of worker nodes.',
        enabledIf: isSet(workerSecurityGroups.ref),
        definitions: [{ selector, jsonPatches: [JsonPatch.add(Paths.securityGroups, PatchValue.template(byName(workerSecurityGroups.ref)))] }],
      }),
      new ClusterClassPatch({
        name: 'workerSecurityGroupIDs',
        description: 'Sets extra security groups, by UUID, of worker nodes.',
        enabledIf: isSet(workerSecurityGroupIDs.ref),
        definitions: [{ selector, jsonPatches: [JsonPatch.add(Paths.securityGroups, PatchValue.template(byId(workerSecurityGroupIDs.ref)))] }],
      }),
    ],
  };
}
