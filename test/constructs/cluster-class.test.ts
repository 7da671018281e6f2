import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DockerClusterTemplateV1Beta1 } from '../../imports/capd-dockerclustertemplates-infrastructure.cluster.x-k8s.io.ts';
import { DockerMachineTemplateV1Beta1 } from '../../imports/capd-dockermachinetemplates-infrastructure.cluster.x-k8s.io.ts';
import { builtin } from '../../constructs/builtin.ts';
import { ClusterClass } from '../../constructs/cluster-class.ts';
import { concat, eq, isSet, ne, type Condition } from '../../constructs/expression.ts';
import { KubeadmConfigTemplate } from '../../constructs/kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplate, KubeadmControlPlaneTemplatePaths as KcpPaths } from '../../constructs/kubeadm-control-plane-template.ts';
import { MachineDeploymentClass } from '../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue } from '../../constructs/patch.ts';
import { each } from '../../constructs/value-template.ts';
import { ClusterClassVariable } from '../../constructs/variable.ts';
import { VariableSchema } from '../../constructs/variable-schema.ts';

const CUSTOM_IMAGE = '/spec/template/spec/customImage';
const NTP = '/spec/template/spec/kubeadmConfigSpec/ntp';
const NTP_SERVERS = '/spec/template/spec/kubeadmConfigSpec/ntp/servers';

const imageRepository = new ClusterClassVariable('imageRepository', {
  schema: VariableSchema.string({ default: '', example: 'registry.example.com', description: 'Registry of the control plane images.' }),
});
const disks = new ClusterClassVariable('disks', {
  required: true,
  schema: VariableSchema.array(
    VariableSchema.object({ name: VariableSchema.string({ minLength: 1 }), sizeGiB: VariableSchema.integer({ minimum: 1, default: 20 }) }, { required: ['name'] }),
    { default: [], example: [{ name: 'data', sizeGiB: 10 }], maxItems: 4 },
  ),
});
const mode = new ClusterClassVariable('mode', { schema: VariableSchema.string({ enum: ['a', 'b'], default: 'a' }) });

/** A minimal CAPD class: cluster template, control plane (KCP + machines), one worker class. */
function fixture() {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  const infrastructure = new DockerClusterTemplateV1Beta1(chart, 'Cluster', {
    metadata: { name: 'demo-v1-cluster' },
    spec: { template: { spec: {} } },
  });
  const controlPlane = new KubeadmControlPlaneTemplate(chart, 'ControlPlane', { name: 'demo-v1-control-plane' });
  const controlPlaneMachines = new DockerMachineTemplateV1Beta1(chart, 'ControlPlaneMachines', {
    metadata: { name: 'demo-v1-control-plane' },
    spec: { template: { spec: {} } },
  });
  const workerMachines = new DockerMachineTemplateV1Beta1(chart, 'WorkerMachines', {
    metadata: { name: 'demo-v1-default-worker' },
    spec: { template: { spec: { extraMounts: [] } } },
  });
  const workerBootstrap = new KubeadmConfigTemplate(chart, 'WorkerBootstrap', { name: 'demo-v1-default-worker' });
  const worker = new MachineDeploymentClass({ class: 'default-worker', bootstrap: workerBootstrap.resource, infrastructure: workerMachines });
  const imageRepositoryPatch = new ClusterClassPatch({
    name: 'imageRepository',
    description: 'Sets the registry of the control plane images.',
    enabledIf: ne(imageRepository.ref, ''),
    definitions: [
      { selector: PatchSelector.controlPlane(controlPlane.resource), jsonPatches: [JsonPatch.add(KcpPaths.imageRepository, PatchValue.variable(imageRepository.ref))] },
    ],
  });
  const clusterClass = new ClusterClass(chart, 'ClusterClass', {
    name: 'demo-v1',
    infrastructure,
    controlPlane: { template: controlPlane.resource, machineInfrastructure: controlPlaneMachines },
    workers: [worker],
    features: [{ variables: [imageRepository], patches: [imageRepositoryPatch] }],
  });
  return { app, chart, infrastructure, controlPlane, controlPlaneMachines, workerMachines, workerBootstrap, worker, clusterClass, imageRepositoryPatch };
}

type Fixture = ReturnType<typeof fixture>;

function patchOn(name: string, selector: PatchSelector, jsonPatches: JsonPatch[], enabledIf?: Condition): ClusterClassPatch {
  return new ClusterClassPatch({ name, description: `${name} patch`, ...(enabledIf ? { enabledIf } : {}), definitions: [{ selector, jsonPatches }] });
}

interface ClusterClassJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    infrastructure: { ref: Record<string, string> };
    controlPlane: { ref: Record<string, string>; machineInfrastructure: { ref: Record<string, string> } };
    workers: { machineDeployments: { class: string; template: { bootstrap: { ref: Record<string, string> }; infrastructure: { ref: Record<string, string> } } }[] };
    variables: { name: string; required: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[];
    patches: { name: string; description: string; enabledIf?: string; definitions: { selector: unknown; jsonPatches: unknown[] }[] }[];
  };
}

function render(f: Fixture): ClusterClassJson {
  return f.clusterClass.resource.toJson() as ClusterClassJson;
}

describe('ClusterClass rendering', () => {
  it('references the templates by apiVersion, kind and name', () => {
    // GIVEN the minimal class
    const f = fixture();
    // WHEN it is rendered
    const json = render(f);
    // THEN
    expect(json.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(json.kind).toBe('ClusterClass');
    expect(json.metadata.name).toBe('demo-v1');
    expect(json.spec.infrastructure.ref).toEqual({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', name: 'demo-v1-cluster' });
    expect(json.spec.controlPlane.ref).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: 'demo-v1-control-plane' });
    expect(json.spec.controlPlane.machineInfrastructure.ref).toEqual({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
      kind: 'DockerMachineTemplate',
      name: 'demo-v1-control-plane',
    });
    expect(json.spec.workers.machineDeployments).toEqual([
      {
        class: 'default-worker',
        template: {
          bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'demo-v1-default-worker' } },
          infrastructure: { ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'demo-v1-default-worker' } },
        },
      },
    ]);
    expect(f.clusterClass.templates.map((t) => `${t.kind}/${t.name}`)).toEqual([
      'DockerClusterTemplate/demo-v1-cluster',
      'KubeadmControlPlaneTemplate/demo-v1-control-plane',
      'DockerMachineTemplate/demo-v1-control-plane',
      'KubeadmConfigTemplate/demo-v1-default-worker',
      'DockerMachineTemplate/demo-v1-default-worker',
    ]);
  });

  it('renders variables with an openAPIV3Schema in JSON field names', () => {
    const f = fixture();
    f.clusterClass.addVariable(disks);
    f.clusterClass.addVariable(mode);
    const variables = render(f).spec.variables;
    expect(variables.map((v) => v.name)).toEqual(['imageRepository', 'disks', 'mode']);
    expect(variables[0]).toEqual({
      name: 'imageRepository',
      required: false,
      schema: { openAPIV3Schema: { type: 'string', default: '', example: 'registry.example.com', description: 'Registry of the control plane images.' } },
    });
    expect(variables[1]).toEqual({
      name: 'disks',
      required: true,
      schema: {
        openAPIV3Schema: {
          type: 'array',
          default: [],
          example: [{ name: 'data', sizeGiB: 10 }],
          maxItems: 4,
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              sizeGiB: { type: 'integer', minimum: 1, default: 20 },
            },
          },
        },
      },
    });
    expect(variables[2].schema.openAPIV3Schema).toEqual({ type: 'string', enum: ['a', 'b'], default: 'a' });
    expect(JSON.stringify(render(f))).not.toContain('openApiv3Schema');
  });

  it('renders patches in order with enabledIf, selectors and JSON patches', () => {
    const f = fixture();
    // Added after construction: rendering is lazy, so it still counts.
    f.clusterClass.addVariable(disks);
    f.clusterClass.addPatch(
      patchOn(
        'disks',
        PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]),
        [JsonPatch.add('/spec/template/spec/extraMounts/-', PatchValue.template(each(disks.ref, (d) => ({ name: d.field('name'), version: builtin.machineDeployment.version }))))],
        isSet(disks.ref),
      ),
    );
    const patches = render(f).spec.patches;
    expect(patches.map((p) => p.name)).toEqual(['imageRepository', 'disks']);
    expect(patches[0]).toEqual({
      name: 'imageRepository',
      description: 'Sets the registry of the control plane images.',
      enabledIf: '{{ if ne .imageRepository "" }}true{{ end }}',
      definitions: [
        {
          selector: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } },
          jsonPatches: [{ op: 'add', path: KcpPaths.imageRepository, valueFrom: { variable: 'imageRepository' } }],
        },
      ],
    });
    expect(patches[1].enabledIf).toBe('{{ if .disks }}true{{ end }}');
    expect(patches[1].definitions[0]).toEqual({
      selector: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', matchResources: { machineDeploymentClass: { names: ['default-worker'] } } },
      jsonPatches: [
        {
          op: 'add',
          path: '/spec/template/spec/extraMounts/-',
          valueFrom: {
            template:
              '[{{ range $i0, $e0 := .disks }}{{ if $i0 }},{{ end }}{"name":{{ $e0.name | toJson }},"version":{{ $.builtin.machineDeployment.version | toJson }}}{{ end }}]',
          },
        },
      ],
    });
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('renders an unconditional patch without enabledIf and literal values as value', () => {
    const f = fixture();
    f.clusterClass.addPatch(patchOn('fixedImage', PatchSelector.controlPlane(f.controlPlaneMachines), [JsonPatch.add(CUSTOM_IMAGE, PatchValue.literal('kindest/node:v1.34.0'))]));
    const patch = render(f).spec.patches[1];
    expect(patch).not.toHaveProperty('enabledIf');
    expect(patch.definitions[0].jsonPatches).toEqual([{ op: 'add', path: CUSTOM_IMAGE, value: 'kindest/node:v1.34.0' }]);
  });

  it('is valid as built', () => {
    const f = fixture();
    expect(f.clusterClass.node.validate()).toEqual([]);
    expect(() => f.app.synthYaml()).not.toThrow();
  });
});

describe('ClusterClass validation', () => {
  it('fails when a patch reads a variable the class does not declare', () => {
    const f = fixture();
    const undeclared = new ClusterClassVariable('customImage', { schema: VariableSchema.string() });
    f.clusterClass.addPatch(
      patchOn('customImage', PatchSelector.controlPlane(f.controlPlaneMachines), [JsonPatch.add(CUSTOM_IMAGE, PatchValue.variable(undeclared.ref))], ne(undeclared.ref, '')),
    );
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'customImage' (spec.patches[1]) reads variable 'customImage', which the ClusterClass does not declare",
    ]);
  });

  it('fails when a patch template reads an undeclared variable, naming the construct path at synthesis', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn('modeImage', PatchSelector.controlPlane(f.controlPlaneMachines), [JsonPatch.add(CUSTOM_IMAGE, PatchValue.template(concat('img-', mode.ref)))]),
    );
    expect(() => f.app.synthYaml()).toThrow(
      "[test/ClusterClass] patch 'modeImage' (spec.patches[1]) reads variable 'mode', which the ClusterClass does not declare",
    );
  });

  it('fails when two variables have the same name', () => {
    const f = fixture();
    f.clusterClass.addVariable(new ClusterClassVariable('imageRepository', { schema: VariableSchema.string() }));
    expect(f.clusterClass.node.validate()).toEqual(["variable 'imageRepository' is defined more than once"]);
  });

  it('fails at once when two features declare different variables of one name', () => {
    const f = fixture();
    const other = new ClusterClassVariable('imageRepository', { schema: VariableSchema.string({ default: 'x' }) });
    expect(() => f.clusterClass.addFeature({ variables: [other], patches: [] })).toThrow(
      "test/ClusterClass: variable 'imageRepository' is declared twice with different definitions",
    );
    // The same declaration shared by two features is declared once.
    f.clusterClass.addFeature({ variables: [imageRepository], patches: [] });
    expect(render(f).spec.variables.map((v) => v.name)).toEqual(['imageRepository']);
  });

  it('fails when two patches have the same name', () => {
    const f = fixture();
    f.clusterClass.addPatch(f.imageRepositoryPatch);
    expect(f.clusterClass.node.validate()).toEqual(["patch 'imageRepository' is defined more than once"]);
  });

  it('fails when a worker class is added twice', () => {
    const f = fixture();
    f.clusterClass.addMachineDeploymentClass(new MachineDeploymentClass({ class: 'default-worker', bootstrap: f.workerBootstrap.resource, infrastructure: f.workerMachines }));
    expect(f.clusterClass.node.validate()).toEqual(["MachineDeployment class 'default-worker' is defined more than once"]);
  });

  it('fails when a selector matches no template the class references', () => {
    const f = fixture();
    // A DockerMachineTemplate is never the infrastructure cluster template.
    f.clusterClass.addPatch(patchOn('wrongRole', PatchSelector.infrastructureCluster(f.workerMachines), [JsonPatch.add(CUSTOM_IMAGE, PatchValue.literal('x'))]));
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'wrongRole' (spec.patches[1]) definitions[0] selector infrastructure.cluster.x-k8s.io/v1beta1 DockerMachineTemplate {\"infrastructureCluster\":true} matches no template the ClusterClass references",
    ]);
  });

  it('fails when a selector names a worker class the ClusterClass does not have', () => {
    const f = fixture();
    const stray = new MachineDeploymentClass({ class: 'gpu-worker', bootstrap: f.workerBootstrap.resource, infrastructure: f.workerMachines });
    f.clusterClass.addPatch(patchOn('gpu', PatchSelector.machineDeploymentClasses(f.workerMachines, [stray]), [JsonPatch.add(CUSTOM_IMAGE, PatchValue.literal('x'))]));
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'gpu' (spec.patches[1]) definitions[0] selector infrastructure.cluster.x-k8s.io/v1beta1 DockerMachineTemplate {\"machineDeploymentClass\":{\"names\":[\"gpu-worker\"]}} matches no template the ClusterClass references",
    ]);
  });

  it('fails when an add targets a parent path that does not exist', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn('deep', PatchSelector.controlPlane(f.controlPlaneMachines), [JsonPatch.add('/spec/template/spec/missing/child', PatchValue.literal('x'))]),
    );
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'deep' (spec.patches[1]) definitions[0] jsonPatches[0] add /spec/template/spec/missing/child on DockerMachineTemplate demo-v1-control-plane: /spec/template/spec/missing does not exist in the template",
    ]);
  });

  it('reports the add against every selected template that lacks the parent', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      new ClusterClassPatch({
        name: 'bothMachines',
        description: 'both',
        definitions: [
          { selector: PatchSelector.controlPlane(f.controlPlaneMachines), jsonPatches: [JsonPatch.add('/spec/template/spec/extraMounts/-', PatchValue.literal({}))] },
          { selector: PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]), jsonPatches: [JsonPatch.add('/spec/template/spec/extraMounts/-', PatchValue.literal({}))] },
        ],
      }),
    );
    // Only the control plane machines lack extraMounts.
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'bothMachines' (spec.patches[1]) definitions[0] jsonPatches[0] add /spec/template/spec/extraMounts/- on DockerMachineTemplate demo-v1-control-plane: /spec/template/spec/extraMounts does not exist in the template",
    ]);
  });

  it('fails when a replace or remove targets a missing field', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn('replaceImage', PatchSelector.controlPlane(f.controlPlaneMachines), [
        JsonPatch.replace(CUSTOM_IMAGE, PatchValue.literal('x')),
        JsonPatch.remove('/spec/template/spec/bootstrapTimeout'),
      ]),
    );
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'replaceImage' (spec.patches[1]) definitions[0] jsonPatches[0] replace /spec/template/spec/customImage on DockerMachineTemplate demo-v1-control-plane: /spec/template/spec/customImage does not exist in the template, so it cannot be replaced",
      "patch 'replaceImage' (spec.patches[1]) definitions[0] jsonPatches[1] remove /spec/template/spec/bootstrapTimeout on DockerMachineTemplate demo-v1-control-plane: /spec/template/spec/bootstrapTimeout does not exist in the template, so it cannot be removed",
    ]);
  });

  it('fails when a replace or remove addresses an array element, as Cluster API\'s webhook refuses it', () => {
    expect(() => JsonPatch.replace(`${KcpPaths.files}/0`, PatchValue.literal({ path: '/x' }))).toThrow(
      `JSON patch replace ${KcpPaths.files}/0: elements in arrays can not be accessed in a replace operation`,
    );
    expect(() => JsonPatch.remove(`${KcpPaths.files}/1/content`)).toThrow(`JSON patch remove ${KcpPaths.files}/1/content: elements in arrays can not be accessed in a remove operation`);
  });

  it('fails when an add addresses an array element other than 0 (prepend) or - (append)', () => {
    expect(() => JsonPatch.add(`${KcpPaths.files}/1`, PatchValue.literal({ path: '/x' }))).toThrow(
      `JSON patch add ${KcpPaths.files}/1: arrays can only be accessed using "0" (prepend) or "-" (append)`,
    );
  });

  it('accepts adds to the lists and maps the kubeadm templates always render', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn('kubeadmLists', PatchSelector.controlPlane(f.controlPlane.resource), [
        JsonPatch.add(KcpPaths.appendFile, PatchValue.literal({ path: '/etc/x', content: 'x' })),
        JsonPatch.add(KcpPaths.appendPreKubeadmCommand, PatchValue.literal('echo hi')),
        JsonPatch.add(KcpPaths.appendApiServerExtraVolume, PatchValue.literal({ name: 'v', hostPath: '/a', mountPath: '/a' })),
        JsonPatch.add(KcpPaths.extraArg('apiServer', 'oidc-client-id'), PatchValue.literal('kubectl')),
        JsonPatch.add(KcpPaths.extraArg('etcd', 'quota-backend-bytes'), PatchValue.literal('8589934592')),
        JsonPatch.add(`${KcpPaths.files}/0`, PatchValue.literal({ path: '/etc/y', content: 'y' })),
      ]),
    );
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('fails when a patch reading builtin.machineDeployment also selects the control plane', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      new ClusterClassPatch({
        name: 'versionedImage',
        description: 'image per version',
        definitions: [
          { selector: PatchSelector.controlPlane(f.controlPlaneMachines), jsonPatches: [JsonPatch.add(CUSTOM_IMAGE, PatchValue.template(concat('kindest/node:', builtin.machineDeployment.version)))] },
          { selector: PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]), jsonPatches: [JsonPatch.add(CUSTOM_IMAGE, PatchValue.variable(builtin.machineDeployment.version))] },
        ],
      }),
    );
    expect(f.clusterClass.node.validate()).toEqual([
      "patch 'versionedImage' (spec.patches[1]) reads builtin.machineDeployment, which is only set for templates of MachineDeployment classes, but it also selects other templates",
    ]);
  });

  it('accepts builtin.machineDeployment in a patch that only selects worker templates', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn(
        'workerImage',
        PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]),
        [JsonPatch.add(CUSTOM_IMAGE, PatchValue.template(concat('kindest/node:', builtin.machineDeployment.version)))],
        eq(builtin.machineDeployment.class, 'default-worker'),
      ),
    );
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('lets a later unconditional patch build on a parent an earlier unconditional patch created', () => {
    const f = fixture();
    f.clusterClass.addPatch(patchOn('ntp', PatchSelector.controlPlane(f.controlPlane.resource), [JsonPatch.add(NTP, PatchValue.literal({ enabled: true }))]));
    f.clusterClass.addPatch(patchOn('ntpServers', PatchSelector.controlPlane(f.controlPlane.resource), [JsonPatch.add(NTP_SERVERS, PatchValue.literal(['time.example.com']))]));
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('fails when a later patch builds on a parent only a conditional patch creates', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn('ntp', PatchSelector.controlPlane(f.controlPlane.resource), [JsonPatch.add(NTP, PatchValue.literal({ enabled: true }))], ne(imageRepository.ref, '')),
    );
    f.clusterClass.addPatch(patchOn('ntpServers', PatchSelector.controlPlane(f.controlPlane.resource), [JsonPatch.add(NTP_SERVERS, PatchValue.literal(['time.example.com']))]));
    expect(f.clusterClass.node.validate()).toEqual([
      `patch 'ntpServers' (spec.patches[2]) definitions[0] jsonPatches[0] add ${NTP_SERVERS} on KubeadmControlPlaneTemplate demo-v1-control-plane: ${NTP} does not exist in the template`,
    ]);
  });

  it('lets the operations of one definition build on each other, even in a conditional patch', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      patchOn(
        'ntp',
        PatchSelector.controlPlane(f.controlPlane.resource),
        [JsonPatch.add(NTP, PatchValue.literal({})), JsonPatch.add(NTP_SERVERS, PatchValue.literal(['time.example.com'])), JsonPatch.add(`${NTP_SERVERS}/0`, PatchValue.literal('ntp.example.com'))],
        ne(imageRepository.ref, ''),
      ),
    );
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('lets a later definition of a conditional patch build on an earlier one, as Cluster API applies them in order', () => {
    const f = fixture();
    f.clusterClass.addPatch(
      new ClusterClassPatch({
        name: 'ntp',
        description: 'two definitions on the same template',
        enabledIf: ne(imageRepository.ref, ''),
        definitions: [
          { selector: PatchSelector.controlPlane(f.controlPlane.resource), jsonPatches: [JsonPatch.add(NTP, PatchValue.literal({}))] },
          { selector: PatchSelector.controlPlane(f.controlPlane.resource), jsonPatches: [JsonPatch.add(NTP_SERVERS, PatchValue.literal(['time.example.com']))] },
        ],
      }),
    );
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('validates a conditional patch against the template without its changes for later patches', () => {
    const f = fixture();
    // The conditional patch removes extraMounts; a later unconditional append must still see them.
    f.clusterClass.addPatch(
      patchOn('noMounts', PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]), [JsonPatch.remove('/spec/template/spec/extraMounts')], isSet(imageRepository.ref)),
    );
    f.clusterClass.addPatch(
      patchOn('mount', PatchSelector.machineDeploymentClasses(f.workerMachines, [f.worker]), [JsonPatch.add('/spec/template/spec/extraMounts/-', PatchValue.literal({ containerPath: '/a', hostPath: '/a' }))]),
    );
    expect(f.clusterClass.node.validate()).toEqual([]);
  });

  it('fails at once when the ClusterClass name is not a DNS name', () => {
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'test');
    const infra = new DockerClusterTemplateV1Beta1(chart, 'Cluster', { metadata: { name: 'c' }, spec: { template: { spec: {} } } });
    const kcp = new KubeadmControlPlaneTemplate(chart, 'ControlPlane', { name: 'cp' });
    expect(() => new ClusterClass(chart, 'Bad', { name: 'Demo_V1', infrastructure: infra, controlPlane: { template: kcp.resource } })).toThrow(
      "test/Bad: ClusterClass 'name' 'Demo_V1' is not a valid name",
    );
  });
});
