import { SUPPORTED_KUBERNETES_MINORS } from '../../constructs/kubernetes-version.ts';
import type { StackName } from './stack-name.ts';

/** A file of the new stack folder, path relative to `stacks/<provider>/<stack>/`. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Chart versions a new stack starts with: what docker/scs ships
 * (test/lib/scaffold/templates.test.ts fails when they drift apart).
 */
export const SKELETON_CHARTS = {
  cilium: '1.18.9',
  kubeletCsrApprover: '1.2.14',
  metricsServer: '3.13.0',
} as const;

/** Where Cluster API's Docker provider bindings come from; the skeleton's placeholder templates. */
const CAPD = {
  cluster: "import { DockerClusterTemplateV1Beta1 } from '../../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts';",
  machine: "import { DockerMachineTemplateV1Beta1 } from '../../../imports/capd-dockermachinetemplates-infrastructure.cluster.x-k8s.io.ts';",
} as const;

/** versions.ts: one row per Kubernetes minor, Kubernetes from the shared table. */
function versionsFile(name: StackName): string {
  const rows = SUPPORTED_KUBERNETES_MINORS.map((m) =>
    `  { kubernetes: KUBERNETES_VERSIONS['${m}'], cilium: '${SKELETON_CHARTS.cilium}', kubeletCsrApprover: '${SKELETON_CHARTS.kubeletCsrApprover}', metricsServer: '${SKELETON_CHARTS.metricsServer}' },`);
  return `import type { StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { KUBERNETES_VERSIONS } from '../../kubernetes-versions.ts';

/**
 * Component versions of ${name.path} per Kubernetes minor. A row is one
 * released bundle; add a field for every component whose version you pin
 * (a CCM, a CSI driver, a node image), and a row when a Kubernetes minor
 * is added to stacks/kubernetes-versions.ts.
 */
export interface ${name.versionsType} extends StackVersionsRow {
  /** Cilium Helm chart (https://helm.cilium.io/). */
  readonly cilium: string;
  /** kubelet-csr-approver Helm chart (https://postfinance.github.io/kubelet-csr-approver). */
  readonly kubeletCsrApprover: string;
  /** metrics-server Helm chart (https://kubernetes-sigs.github.io/metrics-server/). */
  readonly metricsServer: string;
}

export const versions: readonly ${name.versionsType}[] = [
${rows.join('\n')}
];
`;
}

/** addons.ts: the core addons every provider ships; provider addons (CCM, CSI) are added here. */
function addonsFile(name: StackName): string {
  return `import type { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { commonAddons } from '../../common-addons.ts';
import type { ${name.versionsType} } from './versions.ts';

/**
 * The core addons of ${name.path}, in the order they are applied: Cilium,
 * the kubelet CSR approver and metrics-server.
 *
 * TODO(${name.provider}): append the provider's CSI driver and cloud controller
 * manager as \`new ClusterAddon({ name, description, chart: { name, repository,
 * version: row.<field> }, values })\` (see stacks/openstack/scs/addons.ts), and
 * their versions to versions.ts.
 */
export function coreAddons(row: ${name.versionsType}): ClusterAddon[] {
  return commonAddons(row);
}
`;
}

/**
 * stack.ts: a complete, valid ClusterClass. For docker it is a plain CAPD
 * stack; for any other provider the infrastructure templates are CAPD
 * placeholders, marked TODO, so the stack synthesizes and validates from
 * the first minute and the author replaces one template at a time.
 */
export function stackFile(name: StackName): string {
  const isDocker = name.provider === 'docker';
  const todo = `TODO(${name.provider})`;
  const header = isDocker
    ? ''
    : `// ${todo}: the infrastructure templates below are Cluster API's Docker
// provider (CAPD) templates, placeholders so that this stack synthesizes and
// validates at once. Replace them with ${name.provider}'s own templates:
//
//   1. Put the provider's CRDs (its <Kind>ClusterTemplate and
//      <Kind>MachineTemplate) in a folder crds/<provider>-<version>/.
//   2. Add one line per CRD to the imports of cdk8s.yaml, with a comment
//      naming the upstream repository, tag and path, e.g.
//        # kubernetes-sigs/cluster-api-provider-hetzner v1.1.8 config/crd/bases/...
//        - caph-hetznerclustertemplates:=crds/caph-v1.1.8/infrastructure.cluster.x-k8s.io_hetznerclustertemplates.yaml
//   3. Run \`npm run import\`: it writes typed bindings such as
//      imports/caph-hetznerclustertemplates-infrastructure.cluster.x-k8s.io.ts
//      (one class per API version, e.g. HetznerClusterTemplate).
//   4. Import those classes here instead of the two CAPD imports, and fill
//      in their specs: the compiler and \`npm run validate\` (against the
//      real CRD) tell you what is missing.
// Synthesis validates every object against the CRDs under crds/, so
// an object of a CRD that is not there is reported, never written.
`;
  const kernel = isDocker
    ? `        // Docker machines share the host's kernel: sysctls would change the developer's machine.
        protectKernelDefaults: false,
`
    : '';
  // The compliance checks accept the kernel deviation only where the stack declares it.
  const deviation = isDocker
    ? `  hardeningDeviations: [{ id: 'kernel', reason: 'CAPD machines are containers sharing the host kernel, so the stack passes protectKernelDefaults: false.' }],
`
    : '';
  const placeholder = (what: string) => (isDocker ? '' : `    // ${todo}: ${what}\n`);
  return `${header}${CAPD.cluster}
${CAPD.machine}
import { ClusterClass } from '../../../constructs/cluster-class.ts';
import { imageRepositoryFeature } from '../../../constructs/features/image-repository.ts';
import { kubernetesHardening } from '../../../constructs/hardening/kubernetes-hardening.ts';
import { KubeadmConfigTemplate } from '../../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate } from '../../../constructs/kubeadm-control-plane-template.ts';
import { defineClusterStack } from '../../../constructs/stack-definition.ts';
import { shipAddons } from '../../common-addons.ts';
import { DEFAULT_WORKER, defaultWorkerClass } from '../../default-worker.ts';
import { coreAddons } from './addons.ts';
import { versions } from './versions.ts';

/**
 * ${name.path}: ${isDocker ? 'a CAPD (Docker) stack' : `Cluster API clusters on ${name.provider}`}, with Cilium, the kubelet CSR
 * approver and metrics-server. Scaffolded by \`cluster-stacks new ${name.path}\`.
 */
export const ${name.identifier} = defineClusterStack({
  provider: '${name.provider}',
  stack: '${name.stack}',
  // One line for tables and docs.
  description: '${isDocker ? 'CAPD (Docker) clusters' : `Cluster API clusters on ${name.provider}`}: Cilium and metrics-server',
  versions,
${deviation}  build(stack, row) {
${placeholder("the provider's cluster template (network, load balancer, failure domains).")}    const infrastructure = new DockerClusterTemplateV1Beta1(stack, 'ClusterTemplate', {
      metadata: { name: stack.templateName('cluster') },
      spec: { template: { spec: {} } },
    });
    const controlPlane = new KubeadmControlPlaneTemplate(stack, 'KubeadmControlPlaneTemplate', {
      name: stack.templateName('control-plane'),
    });
${placeholder("the provider's machine template (flavor, image, disk) for control plane machines.")}    const controlPlaneMachines = new DockerMachineTemplateV1Beta1(stack, 'ControlPlaneMachineTemplate', {
      metadata: { name: stack.templateName('control-plane') },
      spec: { template: { spec: {} } },
    });
${placeholder("the provider's machine template for worker machines.")}    const workerMachines = new DockerMachineTemplateV1Beta1(stack, 'WorkerMachineTemplate', {
      metadata: { name: stack.templateName(DEFAULT_WORKER) },
      spec: { template: { spec: {} } },
    });
    const workerBootstrap = new KubeadmConfigTemplate(stack, 'WorkerKubeadmConfigTemplate', {
      name: stack.templateName(DEFAULT_WORKER),
    });
    const defaultWorker = defaultWorkerClass(workerBootstrap, workerMachines);

    const clusterClass = new ClusterClass(stack, 'ClusterClass', {
      name: stack.clusterClassName,
      infrastructure,
      controlPlane: { template: controlPlane.resource, machineInfrastructure: controlPlaneMachines },
      workers: [defaultWorker],
      // Features in patch order. A provider feature is one file in
      // features/ exporting its variables and patches together (see
      // stacks/docker/scs/features/custom-image.ts).
      features: [
        imageRepositoryFeature(controlPlane),
        kubernetesHardening({
          controlPlane,
          workers: [{ bootstrap: workerBootstrap, classes: [defaultWorker] }],
          kubernetes: stack.identity.kubernetes,
${kernel}        }),
      ],
    });
    stack.setClusterClass(clusterClass);

    shipAddons(stack, coreAddons(row));
  },
});
`;
}

/** README.md of the stack folder: what it is and what to do next. */
export function readmeFile(name: StackName, from: string | undefined): string {
  const minors = SUPPORTED_KUBERNETES_MINORS;
  const origin = from
    ? `It started as a copy of \`${from}\` (\`cluster-stacks new ${name.path} --from ${from}\`).`
    : name.provider === 'docker'
      ? `It was scaffolded by \`cluster-stacks new ${name.path}\`: a CAPD (Docker) ClusterClass.`
      : `It was scaffolded by \`cluster-stacks new ${name.path}\`. Its infrastructure templates are
Cluster API's Docker provider (CAPD) templates, **placeholders** so that it synthesizes and
validates from the first minute; \`TODO(${name.provider})\` marks every place to change.`;
  return `# ${name.path}

${origin}

| file | what |
|---|---|
| \`stack.ts\` | the stack definition: ClusterClass, templates, features in patch order, addons and hook stages |
| \`versions.ts\` | component versions per Kubernetes minor (${minors.join(', ')}); Kubernetes comes from \`stacks/kubernetes-versions.ts\` |
| \`addons.ts\` | the addons (Helm charts) and their values |
| \`features/\` | provider features, created as needed: one file per feature exporting its variables and patches (e.g. \`stacks/docker/scs/features/custom-image.ts\`) |
| \`version-record/\` | the released versions and content hashes per minor, written by \`npm run release\` |

## Next steps

1. **Infrastructure bindings.** Put the provider's CRDs in \`crds/<provider>-<version>/\`,
   add one \`<module>:=crds/<folder>/<file>.yaml\` line per CRD to \`cdk8s.yaml\`
   (with a comment naming the upstream repository, tag and path), and run \`npm run import\`:
   the typed classes appear in \`imports/\`. Import them in \`stack.ts\` in place of the CAPD ones.
2. **Variables and patches.** A variable is declared once with its schema
   (\`new ClusterClassVariable('name', { schema: VariableSchema.string({ … }) })\`);
   a patch refers to the variable object and to the template construct, never to strings.
3. **Addons.** Add the cloud controller manager and CSI driver in \`addons.ts\`,
   their chart versions in \`versions.ts\`.
4. **Check.** \`npm run validate\` checks every object against its CRD;
   \`node bin/cluster-stacks.cjs synth --provider ${name.provider} --stack ${name.stack} --dry-run\` shows the bundles.
5. **Release.** \`npm run release\` gives changed content a new version (it wrote v1 when the stack was created),
   writes \`release/<tag>/\` and updates \`dist/\`; commit \`stacks/${name.path}/\` and \`dist/${name.path}/\` together.
`;
}

/** Every file of a new skeleton stack folder. */
export function skeletonFiles(name: StackName): ScaffoldFile[] {
  return [
    { path: 'stack.ts', content: stackFile(name) },
    { path: 'versions.ts', content: versionsFile(name) },
    { path: 'addons.ts', content: addonsFile(name) },
    { path: 'README.md', content: readmeFile(name, undefined) },
  ];
}
