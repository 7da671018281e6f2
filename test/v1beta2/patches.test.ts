import { describe, expect, it } from 'vitest';
import { BundleFiles } from '../../constructs/cluster-stack.ts';
import { synthesize } from '../../lib/synth.ts';
import { checkClassDocuments, indexAccessProblem } from '../../lib/v1beta2/check.ts';
import { convertClusterClassDocuments, parseDocuments, toV1Beta2 } from '../../lib/v1beta2/convert.ts';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../../lib/v1beta2/json.ts';
import { argEntryValue, goVariableReference, negateEnabledIf } from '../../lib/v1beta2/patches.ts';
import { valueAt } from '../../lib/v1beta2/templates.ts';
import { STACKS } from '../../stacks/index.ts';

const KCS = '/spec/template/spec/kubeadmConfigSpec';
const CC = `${KCS}/clusterConfiguration`;
const API_ARGS = `${CC}/apiServer/extraArgs`;
const CM_ARGS = `${CC}/controllerManager/extraArgs`;

const ref = (apiVersion: string, kind: string, name: string): JsonObject => ({ apiVersion, kind, name });
const KCP = ref('controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlaneTemplate', 'demo-v1-control-plane');
const KCT = ref('bootstrap.cluster.x-k8s.io/v1beta1', 'KubeadmConfigTemplate', 'demo-v1-default-worker');
const CLUSTER = ref('infrastructure.cluster.x-k8s.io/v1beta1', 'DockerClusterTemplate', 'demo-v1-cluster');
const CP_MACHINE = ref('infrastructure.cluster.x-k8s.io/v1beta1', 'DockerMachineTemplate', 'demo-v1-control-plane');
const WORKER_MACHINE = ref('infrastructure.cluster.x-k8s.io/v1beta1', 'DockerMachineTemplate', 'demo-v1-default-worker');

const kcpSelector: JsonObject = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } };

function object(r: JsonObject, spec: JsonObject): JsonObject {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name }, spec: { template: { spec } } };
}

/** A minimal CAPD class (v1beta1) whose control plane has a few extra args. */
function fixture(patches: JsonObject[], options: { kcpSpec?: JsonObject } = {}): JsonObject[] {
  const kcpSpec: JsonObject = options.kcpSpec ?? {
    kubeadmConfigSpec: {
      clusterConfiguration: {
        apiServer: { extraArgs: { profiling: 'false', 'authorization-mode': 'Node,RBAC' } },
        controllerManager: { extraArgs: { 'bind-address': '127.0.0.1', profiling: 'false' } },
      },
      files: [{ path: '/etc/a', content: 'a' }],
    },
    rolloutBefore: { certificatesExpiryDays: 60 },
  };
  return [
    {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'ClusterClass',
      metadata: { name: 'demo-v1' },
      spec: {
        infrastructure: { ref: CLUSTER },
        controlPlane: { ref: KCP, machineInfrastructure: { ref: CP_MACHINE } },
        workers: { machineDeployments: [{ class: 'default-worker', template: { bootstrap: { ref: KCT }, infrastructure: { ref: WORKER_MACHINE } } }] },
        variables: [
          { name: 'flag', required: false, schema: { openAPIV3Schema: { type: 'boolean', default: false } } },
          { name: 'level', required: false, schema: { openAPIV3Schema: { type: 'string', default: '2' } } },
        ],
        patches,
      },
    },
    object(CLUSTER, {}),
    object(KCP, kcpSpec),
    object(CP_MACHINE, { extraMounts: [] }),
    object(KCT, { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'fail-swap-on': 'false' } } } }),
    object(WORKER_MACHINE, { extraMounts: [] }),
  ];
}

/** A patch of the control plane template; `null` for an unconditional one. */
function patch(name: string, jsonPatches: JsonObject[], enabledIf: string | null = '{{ if .flag }}true{{ end }}'): JsonObject {
  return { name, description: name, ...(enabledIf !== null ? { enabledIf } : {}), definitions: [{ selector: kcpSelector, jsonPatches }] };
}

function convertedPatches(objects: readonly JsonObject[]): JsonObject[] {
  const cls = objects.find((o) => o.kind === 'ClusterClass');
  const spec = cls?.spec;
  return isJsonObject(spec) && Array.isArray(spec.patches) ? spec.patches.filter(isJsonObject) : [];
}

function kcpOf(objects: readonly JsonObject[]): JsonObject {
  const kcp = objects.find((o) => o.kind === 'KubeadmControlPlaneTemplate');
  if (!kcp) throw new Error('no KubeadmControlPlaneTemplate');
  return kcp;
}

describe('rewritePatches on a fixture', () => {
  it('turns add of a new arg into an append, with no companion', () => {
    const { objects, notes } = convertClusterClassDocuments(fixture([patch('level', [{ op: 'add', path: `${API_ARGS}/v`, valueFrom: { variable: 'level' } }])]));
    expect(convertedPatches(objects)).toEqual([{
      name: 'level',
      description: 'level',
      enabledIf: '{{ if .flag }}true{{ end }}',
      definitions: [{
        selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' },
        jsonPatches: [{ op: 'add', path: `${API_ARGS}/-`, valueFrom: { template: '{"name":"v","value":{{ .level | toJson }}}' } }],
      }],
    }]);
    expect(notes).toEqual([`patch 'level': add ${API_ARGS}/v → add ${API_ARGS}/-`]);
    expect(valueAt(kcpOf(objects), API_ARGS)).toEqual([{ name: 'authorization-mode', value: 'Node,RBAC' }, { name: 'profiling', value: 'false' }]);
    expect(checkClassDocuments(objects, 'fixture')).toEqual([]);
  });

  it('takes a replaced arg out of the template; the owner appends the new value, its companion the old one', () => {
    const { objects } = convertClusterClassDocuments(fixture([patch('metrics', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }])]));
    expect(valueAt(kcpOf(objects), CM_ARGS)).toEqual([{ name: 'profiling', value: 'false' }]);
    const [owner, companion] = convertedPatches(objects);
    expect(owner.definitions).toEqual([{ selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' }, jsonPatches: [{ op: 'add', path: `${CM_ARGS}/-`, value: { name: 'bind-address', value: '0.0.0.0' } }] }]);
    expect(companion.name).toBe('metrics-otherwise');
    expect(companion.enabledIf).toBe('{{ if not (.flag) }}true{{ end }}');
    expect(companion.definitions).toEqual([{ selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' }, jsonPatches: [{ op: 'add', path: `${CM_ARGS}/-`, value: { name: 'bind-address', value: '127.0.0.1' } }] }]);
    expect(checkClassDocuments(objects, 'fixture')).toEqual([]);
  });

  it('drops a patch whose only operation removed an arg, and keeps its companion', () => {
    const { objects, notes } = convertClusterClassDocuments(fixture([patch('open', [{ op: 'remove', path: `${API_ARGS}/authorization-mode` }])]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['open-otherwise']);
    expect(notes[1]).toContain("patch 'open': dropped");
    expect(valueAt(kcpOf(objects), API_ARGS)).toEqual([{ name: 'profiling', value: 'false' }]);
  });

  it('needs no companion when the owner is unconditional', () => {
    const { objects } = convertClusterClassDocuments(fixture([patch('always', [{ op: 'replace', path: `${API_ARGS}/profiling`, value: 'true' }], null)]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['always']);
    expect(checkClassDocuments(objects, 'fixture')).toEqual([]);
  });

  it('treats add over an arg the template sets as a replace', () => {
    const { objects } = convertClusterClassDocuments(fixture([patch('over', [{ op: 'add', path: `${API_ARGS}/profiling`, value: 'true' }])]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['over', 'over-otherwise']);
    expect(valueAt(kcpOf(objects), API_ARGS)).toEqual([{ name: 'authorization-mode', value: 'Node,RBAC' }]);
  });

  it('follows moved fields: rolloutBefore → rollout/before', () => {
    const { objects } = convertClusterClassDocuments(fixture([patch('days', [{ op: 'replace', path: '/spec/template/spec/rolloutBefore/certificatesExpiryDays', value: 30 }])]));
    expect(convertedPatches(objects)[0].definitions).toEqual([{
      selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' },
      jsonPatches: [{ op: 'replace', path: '/spec/template/spec/rollout/before/certificatesExpiryDays', value: 30 }],
    }]);
    expect(checkClassDocuments(objects, 'fixture')).toEqual([]);
  });

  it('converts a literal value placed above changed fields', () => {
    const { objects } = convertClusterClassDocuments(fixture([patch('scheduler', [{ op: 'add', path: `${CC}/scheduler`, value: { extraArgs: { v: '2', a: '1' } } }])]));
    expect(convertedPatches(objects)[0].definitions).toEqual([{
      selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' },
      jsonPatches: [{ op: 'add', path: `${CC}/scheduler`, value: { extraArgs: [{ name: 'a', value: '1' }, { name: 'v', value: '2' }] } }],
    }]);
  });

  it('fails when two patches change the same arg', () => {
    expect(() => convertClusterClassDocuments(fixture([
      patch('one', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }]),
      patch('two', [{ op: 'remove', path: `${CM_ARGS}/bind-address` }]),
    ]))).toThrow(`ClusterClass demo-v1: extra arg 'bind-address' of KubeadmControlPlaneTemplate/demo-v1-control-plane ${CM_ARGS} is changed by 2 operations ('one' and 'two'); in v1beta2 a list entry cannot be addressed by name, so exactly one patch operation may set, replace or remove an arg`);
  });

  it('fails when the owner of an arg has an enabledIf that cannot be negated', () => {
    expect(() => convertClusterClassDocuments(fixture([patch('raw', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }], '{{ .flag }}')])))
      .toThrow(`ClusterClass demo-v1 patch 'raw': enabledIf "{{ .flag }}" is not of the form '{{ if <condition> }}true{{ end }}', so no companion patch can be enabled exactly when it is not`);
  });

  it('fails when a templated value is placed above fields whose shape changes', () => {
    expect(() => convertClusterClassDocuments(fixture([patch('api', [{ op: 'add', path: `${CC}/apiServer`, valueFrom: { template: '{"extraArgs":{"v":"2"}}' } }])])))
      .toThrow(`ClusterClass demo-v1 patch 'api' (spec.patches[0]) definitions[0] jsonPatches[0] add ${CC}/apiServer: its value comes from valueFrom and is placed above fields whose shape changes in v1beta2; only a literal value can be converted`);
  });

  it('fails when replacing an arg the template does not set', () => {
    expect(() => convertClusterClassDocuments(fixture([patch('missing', [{ op: 'replace', path: `${API_ARGS}/nope`, value: 'x' }])])))
      .toThrow(`ClusterClass demo-v1 patch 'missing' (spec.patches[0]) definitions[0] jsonPatches[0] replace ${API_ARGS}/nope: extra arg 'nope' is not set in KubeadmControlPlaneTemplate/demo-v1-control-plane, so it cannot be replaced`);
  });

  it('fails when taking out owned args would leave a list empty (v1beta2 minItems 1)', () => {
    const kcpSpec: JsonObject = { kubeadmConfigSpec: { clusterConfiguration: { scheduler: { extraArgs: { 'bind-address': '127.0.0.1' } } } } };
    expect(() => convertClusterClassDocuments(fixture([patch('metrics', [{ op: 'replace', path: `${CC}/scheduler/extraArgs/bind-address`, value: '0.0.0.0' }])], { kcpSpec })))
      .toThrow(`would be empty once 'bind-address' is taken out for the patches that change it, but they append to it and v1beta2 requires at least one entry (minItems 1)`);
  });

  it('fails when a template sets a field whose conversion is not implemented', () => {
    const kcpSpec: JsonObject = { kubeadmConfigSpec: { files: [{ path: '/a', content: 'a' }] }, rolloutStrategy: { type: 'RollingUpdate' } };
    expect(() => convertClusterClassDocuments(fixture([], { kcpSpec })))
      .toThrow('KubeadmControlPlaneTemplate demo-v1-control-plane: /spec/template/spec/rolloutStrategy is set, and its v1beta2 conversion is not implemented here (Cluster API converts it in api/controlplane/kubeadm/v1beta1/conversion.go:291-303 (type defaulting))');
  });

  it('fails when a ClusterClass field is not converted here', () => {
    const objects = fixture([]);
    const spec = objects[0].spec as JsonObject;
    (spec.controlPlane as JsonObject).nodeDrainTimeout = '10s';
    expect(() => convertClusterClassDocuments(objects)).toThrow('ClusterClass demo-v1 spec.controlPlane.nodeDrainTimeout: not converted to v1beta2 here (Cluster API converts it in api/core/v1beta1/conversion.go:678)');
  });
});

describe('the pointer walk on converted bundles', () => {
  const bundle = synthesize(STACKS, { filter: (id) => id.provider === 'docker' && id.kubernetes.minorSlug === '1-34' })[0];
  const file = toV1Beta2(bundle).files.find((f) => f.path === BundleFiles.clusterClass);
  const objects = parseDocuments(file?.content ?? '', 'docker');
  const cls = objects.find((o) => o.kind === 'ClusterClass') as JsonObject;
  const patchIndex = ((cls.spec as JsonObject).patches as JsonObject[]).findIndex((p) => p.name === 'authenticationConfig');
  const kcpName = String((kcpOf(objects).metadata as JsonObject).name);
  const apiArgCount = (valueAt(kcpOf(objects), API_ARGS) as JsonValue[]).length;

  /** The converted documents with the first operation of patch 'authenticationConfig' changed. */
  const broken = (change: (op: JsonObject) => void): JsonObject[] => {
    const copy = objects.map((o) => cloneJson(o));
    const c = copy.find((o) => o.kind === 'ClusterClass') as JsonObject;
    const p = ((c.spec as JsonObject).patches as JsonObject[])[patchIndex];
    change(((p.definitions as JsonObject[])[0].jsonPatches as JsonObject[])[0]);
    return copy;
  };

  it('passes the converted bundle', () => {
    expect(checkClassDocuments(objects, 'docker')).toEqual([]);
  });

  it('fails when a map-style extraArgs path is left behind, naming the patch and the path', () => {
    const problems = checkClassDocuments(broken((op) => { op.path = `${API_ARGS}/oidc-client-id`; }), 'docker');
    expect(problems).toEqual([
      `docker ClusterClass ${String((cls.metadata as JsonObject).name)} patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] add ${API_ARGS}/oidc-client-id on KubeadmControlPlaneTemplate ${kcpName}: ${API_ARGS} is an array of ${apiArgCount} items; 'oidc-client-id' is not a valid position`,
    ]);
  });

  it('fails when an arg is addressed by index, as Cluster API\'s webhook does', () => {
    const problems = checkClassDocuments(broken((op) => { op.op = 'replace'; op.path = `${API_ARGS}/3/value`; }), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] replace ${API_ARGS}/3/value: elements in arrays can not be accessed in a replace operation (Cluster API webhook)`));
  });

  it('fails when an append duplicates an arg the template sets (CEL: extraArgs name must be unique)', () => {
    const problems = checkClassDocuments(broken((op) => { delete op.valueFrom; op.value = { name: 'profiling', value: 'true' }; }), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] add ${API_ARGS}/- on KubeadmControlPlaneTemplate ${kcpName}: ${API_ARGS} has 'profiling' twice (v1beta2 CEL rule: extraArgs name must be unique)`));
  });

  it('fails when an append duplicates an arg through a value template', () => {
    const problems = checkClassDocuments(broken((op) => { op.valueFrom = { template: '{"name":"profiling","value":{{ .x | toJson }}}' }; }), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`has 'profiling' twice`));
  });

  it('fails when a selector still names the v1beta1 apiVersion', () => {
    const copy = objects.map((o) => cloneJson(o));
    const c = copy.find((o) => o.kind === 'ClusterClass') as JsonObject;
    const p = ((c.spec as JsonObject).patches as JsonObject[])[patchIndex];
    ((p.definitions as JsonObject[])[0].selector as JsonObject).apiVersion = 'controlplane.cluster.x-k8s.io/v1beta1';
    expect(checkClassDocuments(copy, 'docker')).toEqual([
      `docker ClusterClass ${String((c.metadata as JsonObject).name)} patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] selector controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlaneTemplate {"controlPlane":true} matches no template the ClusterClass references`,
    ]);
  });

  it('fails when a template is left in v1beta1', () => {
    const copy = objects.map((o) => cloneJson(o));
    const kcp = kcpOf(copy);
    kcp.apiVersion = 'controlplane.cluster.x-k8s.io/v1beta1';
    expect(checkClassDocuments(copy, 'docker')).toContain('docker: KubeadmControlPlaneTemplate is still controlplane.cluster.x-k8s.io/v1beta1');
  });
});

describe('helpers', () => {
  it('refers to variable paths the way Go templates read Cluster API variables', () => {
    expect(goVariableReference('level')).toBe('.level');
    expect(goVariableReference('oidcConfig.clientID')).toBe('.oidcConfig.clientID');
    expect(goVariableReference('builtin.cluster.name')).toBe('.builtin.cluster.name');
    expect(goVariableReference('my-var.x')).toBe('(index . "my-var" "x")');
    expect(goVariableReference('list[0].name')).toBe('(index . "list" 0 "name")');
  });

  it('wraps literal, variable and template values into an arg entry', () => {
    const op = { op: 'add' as const, path: '/x' };
    expect(argEntryValue('k', { ...op, value: 'v' }, 'w')).toEqual({ value: { name: 'k', value: 'v' } });
    expect(argEntryValue('k', { ...op, valueFrom: { template: '{{ .a | toJson }}' } }, 'w')).toEqual({ valueFrom: { template: '{"name":"k","value":{{ .a | toJson }}}' } });
    expect(() => argEntryValue('k', { ...op, value: 3 }, 'w')).toThrow("w: extra arg 'k' must be a string, got 3");
  });

  it('negates the enabledIf form the stacks render', () => {
    expect(negateEnabledIf('{{ if and .a (ne .b "x") }}true{{ end }}', 'w')).toBe('{{ if not (and .a (ne .b "x")) }}true{{ end }}');
    expect(() => negateEnabledIf('{{ if .a }}true{{ end }}{{ if .b }}true{{ end }}', 'w')).toThrow('is not of the form');
  });

  it('applies Cluster API\'s index rule: 0 and - in add only', () => {
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/-' })).toBeUndefined();
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/0' })).toBeUndefined();
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/1' })).toContain('arrays can only be accessed using "0" (prepend) or "-" (append)');
    expect(indexAccessProblem({ op: 'remove', path: '/spec/a/0' })).toContain('elements in arrays can not be accessed in a remove operation');
    expect(indexAccessProblem({ op: 'replace', path: '/spec/a/+1/value' })).toContain('replace operation');
  });
});
