import { defineOverlay } from 'cluster-stacks-cdk8s/constructs/overlay/overlay.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue } from 'cluster-stacks-cdk8s/constructs/patch.ts';
import { ClusterClassVariable } from 'cluster-stacks-cdk8s/constructs/variable.ts';
import { VariableSchema } from 'cluster-stacks-cdk8s/constructs/variable-schema.ts';
import { openstackScsBase } from 'cluster-stacks-cdk8s/stacks/openstack/scs/overlay-base.ts';

/** MyCloud's node images, one per Kubernetes version of the base (mirrored and re-hashed by MyCloud). */
const IMAGES: Readonly<Record<string, { readonly url: string; readonly sha256: string }>> = {
  '1.32': { url: 'https://images.mycloud.example/capi/ubuntu-2204-kube-v1.32.qcow2', sha256: '1'.repeat(64) },
  '1.33': { url: 'https://images.mycloud.example/capi/ubuntu-2404-kube-v1.33.qcow2', sha256: '2'.repeat(64) },
  '1.34': { url: 'https://images.mycloud.example/capi/ubuntu-2404-kube-v1.34.qcow2', sha256: '3'.repeat(64) },
};

/** An extra variable and patch: MyCloud bills per project tag on every worker server. */
const billingTag = new ClusterClassVariable('billingTag', {
  schema: VariableSchema.string({ default: 'default', pattern: '^[a-z0-9-]{1,32}$', example: 'team-a', description: 'MyCloud billing tag set on every worker server.' }),
});

/**
 * mycloud/scs: openstack/scs with MyCloud's network MTU, flavors, node image
 * mirror, CCM load balancer settings and a billing tag. (An extra addon,
 * `extraAddons`, needs a values contract for its chart in the base's
 * lib/addon-values/contracts/; see the base README.) The base stays a
 * dependency: a base fix arrives with `npm install cluster-stacks-cdk8s@<new>`.
 */
export const mycloudScs = defineOverlay({
  provider: 'mycloud',
  stack: 'scs',
  description: 'MyCloud clusters: openstack/scs with MyCloud flavors, MTU, image mirror and OVN load balancers',
  base: openstackScsBase,
  overrides: (row, base) => {
    const kubernetes = row.kubernetes.split('.').slice(0, 2).join('.');
    // A minor MyCloud has not mirrored yet keeps the base's image source.
    const image = IMAGES[kubernetes];
    const workers = base.template('worker/default-worker/infrastructure');
    return {
      variables: {
        // MyCloud's VXLAN underlay: 1450 by default, never above.
        networkMTU: { default: 1450, example: 1450, schema: { type: 'integer', minimum: 1280, maximum: 1450 } },
        workerFlavor: { default: 'MC-4V-16' },
        controlPlaneFlavor: { default: 'MC-4V-8' },
        dnsNameservers: { default: ['10.0.0.53'] },
      },
      features: [
        {
          variables: [billingTag],
          patches: [
            new ClusterClassPatch({
              name: 'billingTag',
              description: 'Tags every worker server with billingTag.',
              definitions: [
                {
                  selector: PatchSelector.machineDeploymentClasses(workers, base.stack.clusterClass.workers),
                  jsonPatches: [JsonPatch.add('/spec/template/spec/tags', PatchValue.template([billingTag.ref]))],
                },
              ],
            }),
          ],
        },
      ],
      addons: {
        ccm: { values: { cloudConfig: { loadBalancer: { 'lb-provider': 'ovn', 'create-monitor': true } } } },
      },
      nodeImages: image ? [{ image: `ubuntu-capi-image-v${row.kubernetes}`, set: { url: image.url, sha256: image.sha256 } }] : [],
      templates: [{ template: 'infrastructureCluster', path: '/spec/template/spec/managedSecurityGroups/allowAllInClusterTraffic', value: false }],
    };
  },
});

export const STACKS = [mycloudScs];
