import type { ClusterStackDefinition, StackVersionsRow } from '../constructs/stack-definition.ts';
import { dockerScs } from './docker/scs/stack.ts';
import { hetznerScs } from './hetzner/scs/stack.ts';
import { openstackScs } from './openstack/scs/stack.ts';

/** Every shipped stack. `new <provider>/<stack>` registers new ones here. */
export const STACKS: readonly ClusterStackDefinition<StackVersionsRow>[] = [
  dockerScs,
  hetznerScs,
  openstackScs,
];
