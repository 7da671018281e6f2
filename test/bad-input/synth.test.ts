import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart, JsonPatch as CdkJsonPatch } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { builtin } from '../../constructs/builtin.ts';
import { ClusterAddon, type HelmChartDependency } from '../../constructs/cluster-addon.ts';
import type { AddonStages } from '../../constructs/cluster-addon-config.ts';
import { KubeadmControlPlaneTemplatePaths as KcpPaths } from '../../constructs/kubeadm-control-plane-template.ts';
import { MachineDeploymentClass } from '../../constructs/machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue } from '../../constructs/patch.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../constructs/stack-definition.ts';
import { ClusterClassVariable } from '../../constructs/variable.ts';
import { VariableSchema } from '../../constructs/variable-schema.ts';
import { TINY_RECORD, tinyStack } from '../lib/release/test-stack.ts';
import { synthCommand } from '../../cli/commands/synth.ts';
import { brokenTiny, smallStack, snapshot, snapshotDiff, synthFailure, tempRoots, tinyAs, validateFailure, type TinyParts } from './harness.ts';

const { fresh } = tempRoots();

/** The tiny stack's name, as messages name it. */
const TINY = 'docker-tiny-1-34';
/** The ClusterClass construct's path. */
const CLASS = `${TINY}/ClusterClass`;
const NAME_PART_HINT = "expected lower-case letters and digits starting with a letter (no '-': the operator splits names on it)";
const DNS_HINT = "expected lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit";

/** The message of a stack whose construct validation failed. */
function invalid(...lines: string[]): string {
  return `cluster stack ${TINY} is invalid:\n  ${lines.join('\n  ')}`;
}

/** The message of a schema validation failure. */
function schemaViolations(...lines: string[]): string {
  return `${lines.length} schema violation(s):\n  ${lines.join('\n  ')}`;
}

/**
 * `synth` refuses `definitions` with exactly `message` and writes nothing;
 * `validate` refuses them with the same message.
 */
function expectRefused(definitions: ClusterStackDefinition<StackVersionsRow>[], message: string): void {
  expect(synthFailure(fresh(), definitions)).toBe(message);
  expect(validateFailure(definitions)).toBe(message);
}

/** A patch on the control plane template. */
function controlPlanePatch(parts: TinyParts, name: string, ...jsonPatches: JsonPatch[]): ClusterClassPatch {
  return new ClusterClassPatch({ name, description: `${name} test patch`, definitions: [{ selector: PatchSelector.controlPlane(parts.controlPlane.resource), jsonPatches }] });
}

/** An addon like metrics-server with `chart` fields overridden, as a JavaScript caller or malformed data could pass them. */
function addonWith(chart: Record<string, unknown>, name = 'extra'): ClusterAddon {
  const dependency = { name: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0', ...chart } as unknown as HelmChartDependency;
  return new ClusterAddon({ name, description: 'bad-input test addon', chart: dependency });
}

describe('the nothing-written check', () => {
  it('notices a synth that did write (control case)', () => {
    // GIVEN a temp root whose dist/ holds a tree, including a file synth does not write
    const root = fresh();
    const before = snapshot(root);
    // WHEN a good stack is synthesized into it
    synthCommand({ root, definitions: [tinyStack()], outDir: join(root, 'dist') });
    // THEN the snapshot comparison sees dist/'s content replaced (the folder
    // itself stays: it is the user's) and the extra file gone
    const changes = snapshotDiff(before, snapshot(root));
    expect(changes).toContain('dist/KEEP-metadata.yaml: removed');
    expect(changes.some((c) => c.startsWith('dist/docker: replaced'))).toBe(true);
  });
});

describe('synth of a malformed stack definition', () => {
  for (const { what, provider, stack, message } of [
    { what: "the provider contains '-'", provider: 'dock-er', stack: 'tiny', message: `dock-er-tiny-1-34: 'provider' 'dock-er' is not valid; ${NAME_PART_HINT}` },
    { what: 'the provider is upper case', provider: 'Docker', stack: 'tiny', message: `Docker-tiny-1-34: 'provider' 'Docker' is not valid; ${NAME_PART_HINT}` },
    { what: "the stack name contains '-'", provider: 'docker', stack: 'ti-ny', message: `docker-ti-ny-1-34: 'stack' 'ti-ny' is not valid; ${NAME_PART_HINT}` },
    { what: 'the stack name is upper case', provider: 'docker', stack: 'Tiny', message: `docker-Tiny-1-34: 'stack' 'Tiny' is not valid; ${NAME_PART_HINT}` },
  ]) {
    it(`fails when ${what}, naming the stack and the field`, () => {
      expectRefused([tinyAs({ provider, stack })], message);
    });
  }

  it.each(['1.34', 'v1.34.x', '1.34.7.1'])("fails when a Kubernetes version is '%s', naming the stack and the row", (kubernetes) => {
    expectRefused(
      [tinyAs({ versions: [{ kubernetes }] })],
      `stack docker/tiny versions[0]: invalid Kubernetes version '${kubernetes}'; expected <major>.<minor>.<patch>, e.g. 1.34.7`,
    );
  });

  it.each([
    ['1.31.14', '1-31'],
    ['1.35.0', '1-35'],
  ])('fails when the Kubernetes minor of %s is outside the supported window', (kubernetes, slug) => {
    expectRefused(
      [tinyAs({ versions: [{ kubernetes }] })],
      `docker-tiny-${slug}: 'kubernetesVersion': Kubernetes ${kubernetes} is outside the supported window; expected 1.32 to 1.34`,
    );
  });

  it('fails when two rows define the same minor, naming the second row', () => {
    expectRefused(
      [tinyAs({ versions: [{ kubernetes: '1.34.7' }, { kubernetes: '1.34.8' }] })],
      `stack docker/tiny versions[1]: ${TINY} is defined more than once (each Kubernetes minor once per stack)`,
    );
  });

  it('fails when two definitions define the same provider/stack and minor', () => {
    expectRefused(
      [tinyStack(), tinyAs({ versions: [{ kubernetes: '1.34.8' }] })],
      'stack docker/tiny is defined more than once; put all its Kubernetes minors in one versions table',
    );
  });

  it('fails when two definitions define the same provider/stack, even with other minors', () => {
    expectRefused(
      [tinyStack(), tinyAs({ versions: [{ kubernetes: '1.33.10' }] })],
      'stack docker/tiny is defined more than once; put all its Kubernetes minors in one versions table',
    );
  });

  it('fails when a stack has an empty versions table, instead of writing an empty dist/', () => {
    expectRefused([tinyAs({ versions: [] })], "stack docker/tiny: 'versions' is empty; expected one row per Kubernetes minor");
  });

  it('fails when there is no stack definition at all, instead of writing an empty dist/', () => {
    expectRefused([], 'no stack definitions: register stacks in stacks/index.ts');
  });
});

describe('synth of wrongly typed data (a JavaScript caller or malformed data)', () => {
  it('fails when a versions row has a number for kubernetes, naming the stack and the row', () => {
    expectRefused(
      [tinyAs({ versions: [{ kubernetes: 1.34 }] })],
      "stack docker/tiny versions[0]: invalid Kubernetes version '1.34'; expected <major>.<minor>.<patch>, e.g. 1.34.7",
    );
  });

  for (const { what, version } of [
    { what: 'empty', version: '' },
    { what: 'a range', version: '^1.2.0' },
    { what: 'a number', version: 3 },
  ]) {
    it(`fails when an addon's chart version is ${what}, naming the stack, the addon and the field`, () => {
      expectRefused(
        [brokenTiny((p) => p.stack.addAddon(addonWith({ version })))],
        `stack ${TINY}: addon 'extra': 'chart.version' must be an exact SemVer version, got '${String(version)}'`,
      );
    });
  }

  it("fails when an addon's repository is not a URL, naming the stack, the addon and the field", () => {
    expectRefused(
      [brokenTiny((p) => p.stack.addAddon(addonWith({ repository: 'kubernetes-sigs.github.io/metrics-server' })))],
      `stack ${TINY}: addon 'extra': 'chart.repository' must be an http(s):// or oci:// URL, got 'kubernetes-sigs.github.io/metrics-server'`,
    );
  });

  it('fails when an addon name is upper case, naming the stack and the name', () => {
    expectRefused(
      [brokenTiny((p) => p.stack.addAddon(addonWith({}, 'Metrics-Server')))],
      `stack ${TINY}: addon name 'Metrics-Server' is not a valid name; ${DNS_HINT}`,
    );
  });

  it('fails when a hook stage is not one of the operator\'s hooks, naming the stack', () => {
    const stages = { AfterEverything: [] } as unknown as AddonStages;
    expectRefused(
      [brokenTiny((p) => p.stack.setAddonStages(stages))],
      `${TINY}: unknown addon hook 'AfterEverything'; expected one of AfterControlPlaneInitialized, BeforeClusterUpgrade, AfterClusterUpgrade`,
    );
  });
});

describe('synth of a ClusterClass that breaks Cluster API\'s rules', () => {
  it('fails when a patch reads a variable the class does not declare (declared, never added)', () => {
    const notAdded = new ClusterClassVariable('registryMirror', { schema: VariableSchema.string({ default: '' }) });
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(controlPlanePatch(p, 'registryMirror', JsonPatch.add(KcpPaths.imageRepository, PatchValue.variable(notAdded.ref)))))],
      invalid(`${CLASS}: patch 'registryMirror' (spec.patches[0]) reads variable 'registryMirror', which the ClusterClass does not declare`),
    );
  });

  it('fails when two variables have the same name', () => {
    expectRefused(
      [brokenTiny((p) => {
        p.clusterClass.addVariable(new ClusterClassVariable('flavor', { schema: VariableSchema.string() }));
        p.clusterClass.addVariable(new ClusterClassVariable('flavor', { schema: VariableSchema.boolean() }));
      })],
      invalid(`${CLASS}: variable 'flavor' is defined more than once`),
    );
  });

  it('fails when two features declare a variable of the same name differently', () => {
    expectRefused(
      [brokenTiny((p) => {
        p.clusterClass.addFeature({ variables: [new ClusterClassVariable('flavor', { schema: VariableSchema.string() })], patches: [] });
        p.clusterClass.addFeature({ variables: [new ClusterClassVariable('flavor', { schema: VariableSchema.boolean() })], patches: [] });
      })],
      `${CLASS}: variable 'flavor' is declared twice with different definitions`,
    );
  });

  it('fails when two patches have the same name', () => {
    expectRefused(
      [brokenTiny((p) => {
        p.clusterClass.addPatch(controlPlanePatch(p, 'preCommands', JsonPatch.add(KcpPaths.appendPreKubeadmCommand, PatchValue.literal('echo a'))));
        p.clusterClass.addPatch(controlPlanePatch(p, 'preCommands', JsonPatch.add(KcpPaths.appendPreKubeadmCommand, PatchValue.literal('echo b'))));
      })],
      invalid(`${CLASS}: patch 'preCommands' is defined more than once`),
    );
  });

  it('fails when two worker classes have the same name', () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addMachineDeploymentClass(new MachineDeploymentClass({ class: 'default-worker', bootstrap: p.bootstrap.resource, infrastructure: p.machines })))],
      invalid(`${CLASS}: MachineDeployment class 'default-worker' is defined more than once`),
    );
  });

  it('fails when a selector matches no template the class references', () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(new ClusterClassPatch({
        name: 'customImage',
        description: 'selects the machine template as if it were the cluster template',
        definitions: [{ selector: PatchSelector.infrastructureCluster(p.machines), jsonPatches: [JsonPatch.add('/spec/template/spec/customImage', PatchValue.literal('kindest/node:v1.34.7'))] }],
      })))],
      invalid(`${CLASS}: patch 'customImage' (spec.patches[0]) definitions[0] selector infrastructure.cluster.x-k8s.io/v1beta1 DockerMachineTemplate {"infrastructureCluster":true} matches no template the ClusterClass references`),
    );
  });

  it("fails when an add's parent does not exist in the selected template", () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(controlPlanePatch(p, 'ntp', JsonPatch.add('/spec/template/spec/kubeadmConfigSpec/ntp/servers', PatchValue.literal(['pool.ntp.org'])))))],
      invalid(`${CLASS}: patch 'ntp' (spec.patches[0]) definitions[0] jsonPatches[0] add /spec/template/spec/kubeadmConfigSpec/ntp/servers on KubeadmControlPlaneTemplate ${TINY}-v1-control-plane: /spec/template/spec/kubeadmConfigSpec/ntp does not exist in the template`),
    );
  });

  it('fails when a replace targets a field the template does not have', () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(new ClusterClassPatch({
        name: 'customImage',
        description: 'replaces a field that is not set',
        definitions: [{ selector: PatchSelector.machineDeploymentClasses(p.machines, [p.worker]), jsonPatches: [JsonPatch.replace('/spec/template/spec/customImage', PatchValue.literal('kindest/node:v1.34.7'))] }],
      })))],
      invalid(`${CLASS}: patch 'customImage' (spec.patches[0]) definitions[0] jsonPatches[0] replace /spec/template/spec/customImage on DockerMachineTemplate ${TINY}-v1-machines: /spec/template/spec/customImage does not exist in the template, so it cannot be replaced`),
    );
  });

  it('fails when a replace addresses an array element (refused when the patch is built)', () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(controlPlanePatch(p, 'firstFile', JsonPatch.replace(`${KcpPaths.files}/0`, PatchValue.literal({ path: '/etc/x', content: 'x' })))))],
      `stack ${TINY}: JSON patch replace ${KcpPaths.files}/0: elements in arrays can not be accessed in a replace operation`,
    );
  });

  it('fails when a control plane patch reads builtin.machineDeployment', () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addPatch(controlPlanePatch(p, 'machineDeploymentVersion', JsonPatch.add(KcpPaths.imageRepository, PatchValue.variable(builtin.machineDeployment.version)))))],
      invalid(`${CLASS}: patch 'machineDeploymentVersion' (spec.patches[0]) reads builtin.machineDeployment, which is only set for templates of MachineDeployment classes, but it also selects other templates`),
    );
  });

  it('fails when the ClusterClass name is not DNS-1123', () => {
    expectRefused(
      [smallStack({ className: () => 'Docker_Tiny' })],
      `${CLASS}: ClusterClass 'name' 'Docker_Tiny' is not a valid name; ${DNS_HINT}`,
    );
  });

  it('fails when the class references a template created outside the stack', () => {
    expectRefused(
      [smallStack({
        infrastructure: (stack) => new ApiObject(new Chart(new App({ outdir: '/nonexistent' }), 'elsewhere'), 'DockerClusterTemplate', {
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
          kind: 'DockerClusterTemplate',
          metadata: { name: stack.templateName('cluster') },
          spec: { template: { spec: {} } },
        }),
      })],
      `cluster stack ${TINY}: the ClusterClass references DockerClusterTemplate ${TINY}-v1-cluster from outside the stack`,
    );
  });

  it('fails when the stack holds an object the class does not reference', () => {
    expectRefused(
      [brokenTiny((p) => new ApiObject(p.stack, 'Stray', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray' } }))],
      `cluster stack ${TINY}: ConfigMap stray (${TINY}/Stray) is neither referenced by the ClusterClass nor a node image`,
    );
  });

  it('fails when no ClusterClass is set', () => {
    expectRefused([smallStack({ clusterClass: false })], invalid(`${TINY}: the stack defines no ClusterClass`));
  });
});

describe('synth of objects that violate their CRD or variable schemas', () => {
  it('fails when a template spec has an unknown field, naming the file, object and JSON path', () => {
    expectRefused(
      [smallStack({
        infrastructure: (stack) => new ApiObject(stack, 'DockerClusterTemplate', {
          apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
          kind: 'DockerClusterTemplate',
          metadata: { name: stack.templateName('cluster') },
          spec: { template: { spec: { loadBalancr: {} } } },
        }),
      })],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml DockerClusterTemplate/${TINY}-v1-cluster at /spec/template/spec/loadBalancr: unknown field "loadBalancr"`),
    );
  });

  it('fails when a template field has the wrong type, naming the file, object and JSON path', () => {
    // The L1 binding types customImage as a string; its JSON patch escape hatch is not checked by the compiler.
    expectRefused(
      [brokenTiny((p) => p.machines.addJsonPatch(CdkJsonPatch.add('/spec/template/spec/customImage', 5)))],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml DockerMachineTemplate/${TINY}-v1-machines at /spec/template/spec/customImage: must be of type string, got integer`),
    );
  });

  it("fails when a variable's default is outside its enum", () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addVariable(new ClusterClassVariable('flavor', { schema: VariableSchema.string({ enum: ['small', 'large'], default: 'huge' as unknown as 'small' }) })))],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml ClusterClass variable 'flavor' (spec.variables[0]) default: unsupported value "huge": supported values: "small", "large"`),
    );
  });

  it("fails when a variable's default does not match its pattern", () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addVariable(new ClusterClassVariable('registry', { schema: VariableSchema.string({ pattern: '^[a-z0-9.]+$', default: 'Registry.Example.org' }) })))],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml ClusterClass variable 'registry' (spec.variables[0]) default: must match pattern '^[a-z0-9.]+$', got "Registry.Example.org"`),
    );
  });

  it("fails when a variable's default has the wrong type", () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addVariable(new ClusterClassVariable('registry', { schema: VariableSchema.string({ default: 5 as unknown as string }) })))],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml ClusterClass variable 'registry' (spec.variables[0]) default: must be of type string, got integer`),
    );
  });

  it("fails when a variable's example is outside its bounds", () => {
    expectRefused(
      [brokenTiny((p) => p.clusterClass.addVariable(new ClusterClassVariable('workers', { schema: VariableSchema.integer({ minimum: 1, maximum: 10, example: 11 }) })))],
      schemaViolations(`docker/tiny/1-34/cluster-class.yaml ClusterClass variable 'workers' (spec.variables[0]) example: must be less than or equal to 10, got 11`),
    );
  });

  it("fails when a file passed in the template's own spec is longer than the CRD allows", () => {
    expectRefused(
      [smallStack({ bootstrapSpec: { files: [{ path: '/etc/motd', content: 'x'.repeat(10241) }] } })],
      `Failed serializing construct at path '${TINY}/WorkerKubeadmConfigTemplate/Resource' with name '${TINY}-v1-default-worker': Error: ${TINY}/WorkerKubeadmConfigTemplate: file '/etc/motd' has 10241 characters; the CRD allows at most 10240`,
    );
  });

  it("fails when a file passed in the template's own spec has a relative path or bad permissions, as addFiles would", () => {
    expectRefused(
      [smallStack({ bootstrapSpec: { files: [{ path: 'relative/x', content: 'x' }] } })],
      `Failed serializing construct at path '${TINY}/WorkerKubeadmConfigTemplate/Resource' with name '${TINY}-v1-default-worker': Error: ${TINY}/WorkerKubeadmConfigTemplate: file path 'relative/x' must be absolute`,
    );
    expectRefused(
      [smallStack({ bootstrapSpec: { files: [{ path: '/etc/x', content: 'x', permissions: '777' }] } })],
      `Failed serializing construct at path '${TINY}/WorkerKubeadmConfigTemplate/Resource' with name '${TINY}-v1-default-worker': Error: ${TINY}/WorkerKubeadmConfigTemplate: file '/etc/x' permissions '777' must be octal like 0600`,
    );
  });
});

describe('synth of broken addons', () => {
  it('fails when a hook stage names an addon the stack does not ship', () => {
    const cni = new ClusterAddon({ name: 'cni', description: 'Cilium', chart: { name: 'cilium', repository: 'https://helm.cilium.io/', version: '1.18.9' } });
    expectRefused(
      [brokenTiny((p) => p.stack.setAddonStages({ AfterControlPlaneInitialized: [{ addon: p.metricsServer }, { addon: cni }] }))],
      `${TINY}: clusteraddon.yaml addonStages.AfterControlPlaneInitialized[1] names addon 'cni', which the stack does not ship`,
    );
  });

  it('fails when two addons have the same name', () => {
    expectRefused(
      [brokenTiny((p) => p.stack.addAddon(addonWith({ version: '3.12.2' }, 'metrics-server')))],
      `${TINY}: addon 'metrics-server' is added twice`,
    );
  });
});

describe('synth of broken kubeadm files', () => {
  const serializing = (construct: string, name: string) => `Failed serializing construct at path '${TINY}/${construct}/Resource' with name '${TINY}-v1-${name}': Error: ${TINY}/${construct}: `;

  it('fails when a file path is relative, naming the template and the file', () => {
    expectRefused(
      [brokenTiny((p) => p.controlPlane.addFiles({ path: 'etc/kubernetes/audit-policy.yaml', content: 'x' }))],
      `${serializing('KubeadmControlPlaneTemplate', 'control-plane')}file path 'etc/kubernetes/audit-policy.yaml' must be absolute`,
    );
  });

  it('fails when a file has both content and secret', () => {
    expectRefused(
      [brokenTiny((p) => p.controlPlane.addFiles({ path: '/etc/kubernetes/encryption.yaml', content: 'x', secret: { name: 'encryption', key: 'config' } }))],
      `${serializing('KubeadmControlPlaneTemplate', 'control-plane')}file '/etc/kubernetes/encryption.yaml' needs exactly one of 'content' and 'secret'`,
    );
  });

  it('fails when a file has more than 10240 characters', () => {
    expectRefused(
      [brokenTiny((p) => p.bootstrap.addFiles({ path: '/etc/motd', content: 'x'.repeat(10241) }))],
      `${serializing('WorkerKubeadmConfigTemplate', 'default-worker')}file '/etc/motd' has 10241 characters; the CRD allows at most 10240`,
    );
  });

  it("fails when a file's permissions are '777'", () => {
    expectRefused(
      [brokenTiny((p) => p.controlPlane.addFiles({ path: '/etc/motd', content: 'x', permissions: '777' }))],
      `${serializing('KubeadmControlPlaneTemplate', 'control-plane')}file '/etc/motd' permissions '777' must be octal like 0600`,
    );
  });

  it('fails when a file is written twice', () => {
    expectRefused(
      [brokenTiny((p) => p.bootstrap.addFiles({ path: '/etc/motd', content: 'a' }, { path: '/etc/motd', content: 'b' }))],
      `${serializing('WorkerKubeadmConfigTemplate', 'default-worker')}file '/etc/motd' is written twice`,
    );
  });
});

describe('synth with a broken version record', () => {
  /** A fresh root whose tiny stack record holds `text`. */
  function rootWithRecord(text: string): string {
    const root = fresh();
    mkdirSync(join(root, 'stacks', 'docker', 'tiny', 'version-record'), { recursive: true });
    writeFileSync(join(root, TINY_RECORD), text);
    return root;
  }

  it('fails when the record is not valid JSON, naming the record', () => {
    const message = synthFailure(rootWithRecord('{ "clusterStack": "v1",'), [tinyStack()]);
    expect(message).toMatch(new RegExp(`^${TINY_RECORD.replace(/[.]/g, '\\.')}: not valid JSON: `));
  });

  it('fails when the record holds an invalid version, naming the record and the field', () => {
    const record = { clusterStack: 'v01', clusterAddon: 'v1', nodeImage: 'v1', hashes: { clusterClass: 'a', clusterAddon: 'b', nodeImage: 'c', kubernetes: 'd' } };
    expect(synthFailure(rootWithRecord(JSON.stringify(record)), [tinyStack()])).toBe(
      `${TINY_RECORD}: 'clusterStack': invalid cluster stack version 'v01'; expected v<N> or v<N>-<channel>.<id> (lower-case channel and id, no leading zeros)`,
    );
  });
});

describe('synth into an output folder it cannot write', () => {
  it('fails when dist is a file, instead of replacing it with a folder', () => {
    const root = fresh();
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    writeFileSync(join(root, 'dist'), 'not a folder\n');
    expect(synthFailure(root, [tinyStack()])).toBe(`cannot write into ${join(root, 'dist')}: it is a file, not a folder; choose another output folder`);
  });

  it('writes no bundle when one of several selected bundles cannot be written', () => {
    const root = fresh();
    mkdirSync(join(root, 'dist', 'docker'), { recursive: true });
    writeFileSync(join(root, 'dist', 'docker', 'tinier'), 'a file where a folder goes\n');
    expect(synthFailure(root, [tinyStack(), tinyAs({ stack: 'tinier' })], { filter: () => true })).toBe(
      `${join(root, 'dist', 'docker', 'tinier')} is not a folder; cannot write ${join(root, 'dist', 'docker', 'tinier', '1-34')}`,
    );
  });

  const isRoot = process.getuid?.() === 0;
  if (isRoot) console.info('skipping the read-only parent folder case: running as root, chmod 0555 does not stop root from writing');

  it.skipIf(isRoot)('fails when the staging folder cannot be created, naming the path', () => {
    const root = fresh();
    chmodSync(join(root, 'dist'), 0o555);
    try {
      const message = synthFailure(root, [tinyStack()]);
      expect(message).toBe(`${join(root, 'dist')}: permission denied (EACCES); choose a folder you can write, or fix its permissions`);
    } finally {
      chmodSync(join(root, 'dist'), 0o755);
    }
  });

  it('fails when the output folder lies below a file, naming the file', () => {
    const root = fresh();
    writeFileSync(join(root, 'blocker'), 'not a folder\n');
    const message = synthFailure(root, [tinyStack()], { outDir: join(root, 'blocker', 'dist') });
    expect(message).toBe(`${join(root, 'blocker')} is not a folder; cannot write ${join(root, 'blocker', 'dist')}`);
  });
});
