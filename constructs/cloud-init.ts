/**
 * A cloud-init instance-data reference (`{{ local_hostname }}`), which
 * cloud-init's jinja renders on the node. It is not a Cluster API template:
 * it passes through CAPI untouched and is escaped for Helm like any text.
 */
export function cloudInitVariable(name: 'local_hostname' | 'instance_id' | 'local_ipv4' | 'v1.availability_zone'): string {
  return `{{ ${name} }}`;
}
