import { describe, expect, it } from 'vitest';
import { and, ne, renderEnabledIf, variableReference, type Condition } from '../../../constructs/expression.ts';
import { renderValueTemplate } from '../../../constructs/value-template.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { checkClassDocuments, indexAccessProblem } from '../../../lib/v1beta2/check.ts';
import type { JsonPatchSpec, PatchSpec } from '../../../lib/v1beta2/class-model.ts';
import { convertClusterClassDocuments, toV1Beta2 } from '../../../lib/v1beta2/convert.ts';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../../../lib/v1beta2/json.ts';
import { argEntryValue } from '../../../lib/v1beta2/patches.ts';
import { valueAt } from '../../../lib/v1beta2/templates.ts';
import { STACKS } from '../../../stacks/index.ts';

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

const flag = variableReference<boolean>('flag');
const level = variableReference<string>('level');

const kcpSelector = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } };

function object(r: JsonObject, spec: JsonObject): JsonObject {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name }, spec: { template: { spec } } };
}

/** A minimal CAPD class (v1beta1) whose control plane has a few extra args, and its typed patches. */
interface Fixture {
  readonly objects: JsonObject[];
  readonly patches: PatchSpec[];
}

function convert(f: Fixture): ReturnType<typeof convertClusterClassDocuments> {
  return convertClusterClassDocuments(f.objects, f.patches);
}

function fixture(patches: PatchSpec[], options: { kcpSpec?: JsonObject } = {}): Fixture {
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
  const objects: JsonObject[] = [
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
      },
    },
    object(CLUSTER, {}),
    object(KCP, kcpSpec),
    object(CP_MACHINE, { extraMounts: [] }),
    object(KCT, { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'fail-swap-on': 'false' } } } }),
    object(WORKER_MACHINE, { extraMounts: [] }),
  ];
  return { objects, patches };
}

/** A patch of the control plane template; `null` for an unconditional one. */
function patch(name: string, jsonPatches: JsonPatchSpec[], enabledIf: Condition | null = flag): PatchSpec {
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
    const { objects, notes, patches } = convert(fixture([patch('level', [{ op: 'add', path: `${API_ARGS}/v`, valueFrom: { variable: level } }])]));
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
    expect(checkClassDocuments(objects, patches, 'fixture')).toEqual([]);
  });

  it('takes a replaced arg out of the template; the owner appends the new value, its companion the old one', () => {
    const { objects, patches } = convert(fixture([patch('metrics', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }])]));
    expect(valueAt(kcpOf(objects), CM_ARGS)).toEqual([{ name: 'profiling', value: 'false' }]);
    const [owner, companion] = convertedPatches(objects);
    expect(owner.definitions).toEqual([{ selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' }, jsonPatches: [{ op: 'add', path: `${CM_ARGS}/-`, value: { name: 'bind-address', value: '0.0.0.0' } }] }]);
    expect(companion.name).toBe('metrics-otherwise');
    expect(companion.enabledIf).toBe('{{ if not .flag }}true{{ end }}');
    expect(companion.definitions).toEqual([{ selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' }, jsonPatches: [{ op: 'add', path: `${CM_ARGS}/-`, value: { name: 'bind-address', value: '127.0.0.1' } }] }]);
    expect(checkClassDocuments(objects, patches, 'fixture')).toEqual([]);
  });

  it('drops a patch whose only operation removed an arg, and keeps its companion', () => {
    const { objects, notes } = convert(fixture([patch('open', [{ op: 'remove', path: `${API_ARGS}/authorization-mode` }])]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['open-otherwise']);
    expect(notes[1]).toContain("patch 'open': dropped");
    expect(valueAt(kcpOf(objects), API_ARGS)).toEqual([{ name: 'profiling', value: 'false' }]);
  });

  it('needs no companion when the owner is unconditional', () => {
    const { objects, patches } = convert(fixture([patch('always', [{ op: 'replace', path: `${API_ARGS}/profiling`, value: 'true' }], null)]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['always']);
    expect(checkClassDocuments(objects, patches, 'fixture')).toEqual([]);
  });

  it('treats add over an arg the template sets as a replace', () => {
    const { objects } = convert(fixture([patch('over', [{ op: 'add', path: `${API_ARGS}/profiling`, value: 'true' }])]));
    expect(convertedPatches(objects).map((p) => p.name)).toEqual(['over', 'over-otherwise']);
    expect(valueAt(kcpOf(objects), API_ARGS)).toEqual([{ name: 'authorization-mode', value: 'Node,RBAC' }]);
  });

  it('follows moved fields: rolloutBefore → rollout/before', () => {
    const { objects, patches } = convert(fixture([patch('days', [{ op: 'replace', path: '/spec/template/spec/rolloutBefore/certificatesExpiryDays', value: 30 }])]));
    expect(convertedPatches(objects)[0].definitions).toEqual([{
      selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' },
      jsonPatches: [{ op: 'replace', path: '/spec/template/spec/rollout/before/certificatesExpiryDays', value: 30 }],
    }]);
    expect(checkClassDocuments(objects, patches, 'fixture')).toEqual([]);
  });

  it('converts a literal value placed above changed fields', () => {
    const { objects } = convert(fixture([patch('scheduler', [{ op: 'add', path: `${CC}/scheduler`, value: { extraArgs: { v: '2', a: '1' } } }])]));
    expect(convertedPatches(objects)[0].definitions).toEqual([{
      selector: { ...kcpSelector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2' },
      jsonPatches: [{ op: 'add', path: `${CC}/scheduler`, value: { extraArgs: [{ name: 'a', value: '1' }, { name: 'v', value: '2' }] } }],
    }]);
  });

  it('fails when two patches change the same arg', () => {
    expect(() => convert(fixture([
      patch('one', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }]),
      patch('two', [{ op: 'remove', path: `${CM_ARGS}/bind-address` }]),
    ]))).toThrow(`ClusterClass demo-v1: extra arg 'bind-address' of KubeadmControlPlaneTemplate/demo-v1-control-plane ${CM_ARGS} is changed by 2 operations ('one' and 'two'); in v1beta2 a list entry cannot be addressed by name, so exactly one patch operation may set, replace or remove an arg`);
  });

  it('enables the companion of a compound condition on its negation, not(expr), over the same variables', () => {
    const condition = and(flag, ne(level, '2'));
    const { patches } = convert(fixture([patch('both', [{ op: 'replace', path: `${CM_ARGS}/bind-address`, value: '0.0.0.0' }], condition)]));
    const companion = patches[1];
    expect(companion.name).toBe('both-otherwise');
    expect(renderEnabledIf(companion.enabledIf as Condition)).toBe('{{ if not (and .flag (ne .level "2")) }}true{{ end }}');
    expect([...(companion.enabledIf as Condition).dependencies.variables]).toEqual(['flag', 'level']);
  });

  it('fails when a templated value is placed above fields whose shape changes', () => {
    expect(() => convert(fixture([patch('api', [{ op: 'add', path: `${CC}/apiServer`, valueFrom: { template: { extraArgs: { v: '2' } } } }])])))
      .toThrow(`ClusterClass demo-v1 patch 'api' (spec.patches[0]) definitions[0] jsonPatches[0] add ${CC}/apiServer: its value comes from valueFrom and is placed above fields whose shape changes in v1beta2; only a literal value can be converted`);
  });

  it('fails when replacing an arg the template does not set', () => {
    expect(() => convert(fixture([patch('missing', [{ op: 'replace', path: `${API_ARGS}/nope`, value: 'x' }])])))
      .toThrow(`ClusterClass demo-v1 patch 'missing' (spec.patches[0]) definitions[0] jsonPatches[0] replace ${API_ARGS}/nope: extra arg 'nope' is not set in KubeadmControlPlaneTemplate/demo-v1-control-plane, so it cannot be replaced`);
  });

  it('fails when taking out owned args would leave a list empty (v1beta2 minItems 1)', () => {
    const kcpSpec: JsonObject = { kubeadmConfigSpec: { clusterConfiguration: { scheduler: { extraArgs: { 'bind-address': '127.0.0.1' } } } } };
    expect(() => convert(fixture([patch('metrics', [{ op: 'replace', path: `${CC}/scheduler/extraArgs/bind-address`, value: '0.0.0.0' }])], { kcpSpec })))
      .toThrow(`would be empty once 'bind-address' is taken out for the patches that change it, but they append to it and v1beta2 requires at least one entry (minItems 1)`);
  });

  it('fails when a template sets a field whose conversion is not implemented', () => {
    const kcpSpec: JsonObject = { kubeadmConfigSpec: { files: [{ path: '/a', content: 'a' }] }, rolloutStrategy: { type: 'RollingUpdate' } };
    expect(() => convert(fixture([], { kcpSpec })))
      .toThrow('KubeadmControlPlaneTemplate demo-v1-control-plane: /spec/template/spec/rolloutStrategy is set, and its v1beta2 conversion is not implemented here (Cluster API converts it in api/controlplane/kubeadm/v1beta1/conversion.go:291-303 (type defaulting))');
  });

  it('fails when a ClusterClass field is not converted here', () => {
    const { objects } = fixture([]);
    const spec = objects[0].spec as JsonObject;
    (spec.controlPlane as JsonObject).nodeDrainTimeout = '10s';
    expect(() => convertClusterClassDocuments(objects, [])).toThrow('ClusterClass demo-v1 spec.controlPlane.nodeDrainTimeout: not converted to v1beta2 here (Cluster API converts it in api/core/v1beta1/conversion.go:678)');
  });
});

describe('the pointer walk on converted bundles', () => {
  const bundle = synthesize(STACKS, { filter: (id) => id.provider === 'docker' && id.kubernetes.minorSlug === '1-34' })[0];
  const { objects, patches } = toV1Beta2(bundle).v1beta2;
  const cls = objects.find((o) => o.kind === 'ClusterClass') as JsonObject;
  const patchIndex = patches.findIndex((p) => p.name === 'authenticationConfig');
  const kcpName = String((kcpOf(objects).metadata as JsonObject).name);
  const apiArgCount = (valueAt(kcpOf(objects), API_ARGS) as JsonValue[]).length;

  /** The converted patches with patch 'authenticationConfig' changed. */
  const changed = (change: (p: PatchSpec) => PatchSpec): PatchSpec[] => patches.map((p, i) => (i === patchIndex ? change(p) : p));
  /** … with its first operation changed. */
  const broken = (change: (op: JsonPatchSpec) => JsonPatchSpec): PatchSpec[] =>
    changed((p) => ({ ...p, definitions: p.definitions.map((d, di) => (di === 0 ? { ...d, jsonPatches: d.jsonPatches.map((jp, ji) => (ji === 0 ? change(jp) : jp)) } : d)) }));

  it('passes the converted bundle', () => {
    expect(checkClassDocuments(objects, patches, 'docker')).toEqual([]);
  });

  it('fails when a map-style extraArgs path is left behind, naming the patch and the path', () => {
    const problems = checkClassDocuments(objects, broken((op) => ({ ...op, path: `${API_ARGS}/oidc-client-id` })), 'docker');
    expect(problems).toEqual([
      `docker ClusterClass ${String((cls.metadata as JsonObject).name)} patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] add ${API_ARGS}/oidc-client-id on KubeadmControlPlaneTemplate ${kcpName}: ${API_ARGS} is an array of ${apiArgCount} items; 'oidc-client-id' is not a valid position`,
    ]);
  });

  it('fails when an arg is addressed by index, as Cluster API\'s webhook does', () => {
    const problems = checkClassDocuments(objects, broken((op) => ({ ...op, op: 'replace', path: `${API_ARGS}/3/value` })), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] replace ${API_ARGS}/3/value: elements in arrays can not be accessed in a replace operation (Cluster API webhook)`));
  });

  it('fails when an append duplicates an arg the template sets (CEL: extraArgs name must be unique)', () => {
    const problems = checkClassDocuments(objects, broken((op) => ({ op: op.op, path: op.path, value: { name: 'profiling', value: 'true' } })), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] jsonPatches[0] add ${API_ARGS}/- on KubeadmControlPlaneTemplate ${kcpName}: ${API_ARGS} has 'profiling' twice (v1beta2 CEL rule: extraArgs name must be unique)`));
  });

  it('fails when an append duplicates an arg through a value template', () => {
    const problems = checkClassDocuments(objects, broken((op) => ({ op: op.op, path: op.path, valueFrom: { template: { name: 'profiling', value: variableReference('x') } } })), 'docker');
    expect(problems).toContainEqual(expect.stringContaining(`has 'profiling' twice`));
  });

  it('fails when a selector still names the v1beta1 apiVersion', () => {
    const old = changed((p) => ({ ...p, definitions: p.definitions.map((d, di) => (di === 0 ? { ...d, selector: { ...d.selector, apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1' } } : d)) }));
    expect(checkClassDocuments(objects, old, 'docker')).toEqual([
      `docker ClusterClass ${String((cls.metadata as JsonObject).name)} patch 'authenticationConfig' (spec.patches[${patchIndex}]) definitions[0] selector controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlaneTemplate {"controlPlane":true} matches no template the ClusterClass references`,
    ]);
  });

  it('fails when a template is left in v1beta1', () => {
    const copy = objects.map((o) => cloneJson(o));
    const kcp = kcpOf(copy);
    kcp.apiVersion = 'controlplane.cluster.x-k8s.io/v1beta1';
    expect(checkClassDocuments(copy, patches, 'docker')).toContain('docker: KubeadmControlPlaneTemplate is still controlplane.cluster.x-k8s.io/v1beta1');
  });
});

describe('helpers', () => {
  it('wraps literal, variable and template values into an arg entry', () => {
    const op = { op: 'add' as const, path: '/x' };
    expect(argEntryValue('k', { ...op, value: 'v' }, 'w')).toEqual({ value: { name: 'k', value: 'v' } });
    const template = argEntryValue('k', { ...op, valueFrom: { template: { a: variableReference('a') } } }, 'w').valueFrom?.template;
    expect(template === undefined ? undefined : renderValueTemplate(template)).toBe('{"name":"k","value":{"a":{{ .a | toJson }}}}');
    const variable = argEntryValue('k', { ...op, valueFrom: { variable: variableReference<{ clientID: string }>('oidcConfig').field('clientID') } }, 'w').valueFrom?.template;
    expect(variable === undefined ? undefined : renderValueTemplate(variable)).toBe('{"name":"k","value":{{ .oidcConfig.clientID | toJson }}}');
    expect(() => argEntryValue('k', { ...op, value: 3 }, 'w')).toThrow("w: extra arg 'k' must be a string, got 3");
  });

  it('applies Cluster API\'s index rule: 0 and - in add only', () => {
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/-' })).toBeUndefined();
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/0' })).toBeUndefined();
    expect(indexAccessProblem({ op: 'add', path: '/spec/a/1' })).toContain('arrays can only be accessed using "0" (prepend) or "-" (append)');
    expect(indexAccessProblem({ op: 'remove', path: '/spec/a/0' })).toContain('elements in arrays can not be accessed in a remove operation');
    expect(indexAccessProblem({ op: 'replace', path: '/spec/a/+1/value' })).toContain('replace operation');
  });
});
