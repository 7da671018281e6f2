/**
 * The fast upgrade check (lib/release/upgrade-*.ts): the project's own
 * history from git (v1 → v2 → v3 of every shipped bundle, read with
 * `git show <commit>:dist/<bundle>/…` at the commits that changed its version
 * record), one failing case per rule on the shipped bundles, and the gate
 * inside `release`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { checkUpgrade, formatFindings, type UpgradeFinding } from '../../../lib/release/upgrade-check.ts';
import { upgradePathsTo } from '../../../lib/release/upgrade-paths.ts';
import { historyOf, sideFromBundle, sideFromFolder, sideFromReleaseFolder, type KubeObject, type UpgradeSide } from '../../../lib/release/upgrade-side.ts';
import { STACKS } from '../../../stacks/index.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { INITIAL_VERSIONS, synthesize, type Bundle } from '../../../lib/pipeline/synth.ts';
import { readRecord } from '../../../lib/release/version-record.ts';
import { readTree, tempRoot, tinyStack, TINY_BUNDLE, TINY_NAME, TINY_RECORD } from './test-stack.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLES = STACKS.flatMap((d) => d.versions.map((row) => `${d.provider}/${d.stack}/${row.kubernetes.split('.').slice(0, 2).join('-')}`));
const STABLE = { kind: 'stable' } as const;
const histories = new Map<string, UpgradeSide[]>();
/** The history of a bundle, read from git once per run. */
function historyCached(bundle: string): UpgradeSide[] {
  let h = histories.get(bundle);
  if (!h) histories.set(bundle, (h = historyOf(root, bundle)));
  return h;
}

/** Bundles with the project's own history v1 → v2 → v3 in git (stacks shipped later start at v1). */
const HISTORY_BUNDLES = BUNDLES.filter((b) => historyCached(b).some((side) => side.stackVersion === 'v3'));

function messages(findings: readonly UpgradeFinding[]): string[] {
  return findings.map((f) => `${f.path}: ${f.message}`);
}

/** A deep copy of a side with its ClusterClass (and templates) edited. */
function edited(side: UpgradeSide, edit: (objects: KubeObject[]) => void, changes: Partial<UpgradeSide> = {}): UpgradeSide {
  const objects = structuredClone(side.objects) as KubeObject[];
  edit(objects);
  return { ...side, ...changes, clusterClass: objects.find((o) => o.kind === 'ClusterClass'), objects, stackVersion: changes.stackVersion ?? 'v99', source: 'edited' };
}

function classOf(objects: KubeObject[]): { spec: Record<string, unknown>; metadata: { name: string } } {
  return objects.find((o) => o.kind === 'ClusterClass') as unknown as { spec: Record<string, unknown>; metadata: { name: string } };
}

describe('the project history (git) as upgrade fixtures', () => {
  it('every shipped stack but the newest provider has its history in git', () => {
    expect(HISTORY_BUNDLES.filter((b) => !b.startsWith('hetzner/'))).toEqual(BUNDLES.filter((b) => !b.startsWith('hetzner/')));
  });

  it.each(HISTORY_BUNDLES)('%s: v1 → v2 → v3 are in git, and the check decides each path', (bundle) => {
    const history = historyCached(bundle);
    expect(history.map((s) => s.stackVersion)).toEqual(expect.arrayContaining(['v1', 'v2', 'v3']));
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => history.find((s) => s.stackVersion === v) as UpgradeSide);
    // v1 → v2 added kubelet-csr-approver: the operator renders v2's
    // AfterControlPlaneInitialized stages over v1's addon folder and fails.
    for (const to of [v2, v3]) {
      const check = checkUpgrade({ from: v1, to, kind: 'same-minor' });
      expect(check.findings.map((f) => f.rule)).toEqual(['operator-addon']);
      expect(formatFindings(check)[0]).toBe(
        `upgrade ${bundle} v1 → ${bundle} ${to.stackVersion}: clusteraddon.yaml /addonStages/AfterControlPlaneInitialized/1/name: addon "kubelet-csr-approver" is new in ${bundle} ${to.stackVersion} and ${bundle} v1 has no folder for it: ` +
          'the operator renders the new release\'s stages over the old addon folder (getOldReleaseObjects), helm fails ("non-absolute URLs should be in form of repo_name/path_to_chart") and the upgrade hook never lets go; ' +
          'ship the chart inside a folder the old release already has, or move Clusters through a release that carries the folder without a stage',
      );
    }
    expect(checkUpgrade({ from: v2, to: v3, kind: 'same-minor' }).findings).toEqual([]);
    expect(v1.source).toMatch(new RegExp(`^git [0-9a-f]{12}:dist/${bundle}$`));
  });

  it.each(HISTORY_BUNDLES.filter((b) => !b.endsWith('1-32')))('%s: the newest version of the previous minor upgrades to it, at every point of the history', (bundle) => {
    const [p, s, minor] = bundle.split('/');
    const lower = `${p}/${s}/1-${Number(minor.split('-')[1]) - 1}`;
    const a = historyCached(lower);
    const b = historyCached(bundle);
    for (const v of ['v1', 'v2', 'v3']) {
      const from = a.find((x) => x.stackVersion === v) as UpgradeSide;
      const to = b.find((x) => x.stackVersion === v) as UpgradeSide;
      expect(messages(checkUpgrade({ from, to, kind: 'next-minor' }).findings), `${lower} ${v} → ${bundle} ${v}`).toEqual([]);
    }
  });

  it('the current dist/ upgrades from the newest other version of the history', () => {
    for (const bundle of BUNDLES) {
      const current = sideFromFolder(bundle, join(root, 'dist', bundle));
      // dist/ may hold a version not committed yet (right after `release`); a first release has no previous one.
      const previous = historyCached(bundle).filter((s) => s.stackVersion !== current.stackVersion).pop();
      if (previous === undefined) {
        expect(current.stackVersion, bundle).toBe('v1');
        continue;
      }
      expect(messages(checkUpgrade({ from: previous, to: current, kind: 'same-minor' }).findings), `${bundle} ${previous.stackVersion} → ${current.stackVersion}`).toEqual([]);
    }
  });
});

describe('a side from the model and from the bytes', () => {
  // The release reads a dist/ bundle through the model of the bundle it has
  // just synthesized at the recorded versions when the bytes are the same.
  const synthesized = synthesize(STACKS, { versionsFor: (id) => readRecord(root, id)?.versions ?? INITIAL_VERSIONS });
  it.each(synthesized.map((b) => [b.path, b] as const))('%s: the same side either way', (path, bundle) => {
    const dir = join(root, 'dist', path);
    const parsed = sideFromFolder(path, dir, 'dist');
    const fromModel = sideFromFolder(path, dir, 'dist', bundle);
    expect(fromModel).toEqual(parsed);
    // Only identical bytes take the model: an edited file is parsed.
    const edited = { ...bundle, model: { ...bundle.model, versions: { ...bundle.model.versions, clusterStack: StackVersion.stable(999) } }, files: bundle.files.map((f) => (f.path === 'metadata.yaml' ? { ...f, content: `${f.content}# edited\n` } : f)) };
    expect(sideFromFolder(path, dir, 'dist', edited).stackVersion).toBe(parsed.stackVersion);
  });

  /** Whether a side was read through a model: only sideFromBundle copies objects into file order when asked. */
  const throughModel = (side: UpgradeSide): boolean => typeof Object.getOwnPropertyDescriptor(side, 'objects')?.get === 'function';
  const withoutGitops = synthesize(STACKS, { gitops: false, versionsFor: (id) => readRecord(root, id)?.versions ?? INITIAL_VERSIONS });
  it.each(withoutGitops.map((b, i) => [b.path, b, synthesized[i] as Bundle] as const))('%s: built without the GitOps files, read through its model where dist/ holds its other bytes', (path, bundle, full) => {
    const dir = join(root, 'dist', path);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['helm-chart-proxies.yaml', 'kustomization.yaml']));
    expect(throughModel(sideFromFolder(path, dir, 'dist', bundle))).toBe(true);
    expect(throughModel(sideFromFolder(path, dir, 'dist', full))).toBe(true);
    // A bundle built with them is compared on them too; one without them still on every other file.
    const edited = (b: Bundle, file: string): Bundle => ({ ...b, files: b.files.map((f) => (f.path === file ? { ...f, content: `${f.content}# edited\n` } : f)) });
    expect(throughModel(sideFromFolder(path, dir, 'dist', edited(full, 'kustomization.yaml')))).toBe(false);
    expect(throughModel(sideFromFolder(path, dir, 'dist', edited(bundle, 'cluster-class.yaml')))).toBe(false);
    expect(throughModel(sideFromFolder(path, dir, 'dist', { ...bundle, files: bundle.files.filter((f) => f.path !== 'metadata.yaml') }))).toBe(false);
  });
});

describe('the checks compare values, whatever order their keys are in', () => {
  /** A copy with every object's keys in reverse order, as a model may hold them. */
  const reversed = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
  /** The side with a CEL rule on its first variable's schema, its ClusterClass's keys reversed when asked. */
  const withRule = (side: UpgradeSide, rule: string, reverse: boolean): UpgradeSide => {
    const cc = structuredClone(side.clusterClass) as KubeObject & { spec: { variables: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
    cc.spec.variables[0].schema.openAPIV3Schema['x-kubernetes-validations'] = [{ rule, message: 'must not be empty' }];
    return { ...side, clusterClass: (reverse ? reversed(cc) : cc) as KubeObject, stackVersion: 'v99', source: 'edited' };
  };

  it('a ClusterClass whose keys are in another order is the same class; a change is shown in file order', () => {
    const side = historyCached(BUNDLES[0]).at(-1) as UpgradeSide;
    const from = withRule(side, 'self.size() > 0', false);
    expect(checkUpgrade({ from, to: withRule(side, 'self.size() > 0', true), kind: 'same-minor' }).findings).toEqual([]);
    const [finding] = checkUpgrade({ from, to: withRule(side, 'self.size() > 1', true), kind: 'same-minor' }).findings;
    expect(finding?.message).toContain('x-kubernetes-validations changes from [{"message":"must not be empty","rule":"self.size() > 0"}] to [{"message":"must not be empty","rule":"self.size() > 1"}]');
  });

  it('reports the properties of a schema in file order, whatever order the old side holds them in', () => {
    const side = historyCached(BUNDLES[0]).at(-1) as UpgradeSide;
    const withProperties = (properties: Record<string, unknown>, reverse: boolean): UpgradeSide => {
      const cc = structuredClone(side.clusterClass) as KubeObject & { spec: { variables: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
      cc.spec.variables[0].schema.openAPIV3Schema = { type: 'object', properties };
      return { ...side, clusterClass: (reverse ? reversed(cc) : cc) as KubeObject, stackVersion: 'v99', source: 'edited' };
    };
    const removed = (reverse: boolean) =>
      checkUpgrade({ from: withProperties({ alpha: { type: 'string' }, beta: { type: 'string' }, gamma: { type: 'string' } }, reverse), to: withProperties({}, false), kind: 'same-minor' }).findings.map((f) => f.path.split('/').at(-1));
    expect(removed(false)).toEqual(['alpha', 'beta', 'gamma']);
    expect(removed(true)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('a synthesized side copies its objects into file order only when they are asked for', () => {
    const [a, b] = synthesize(STACKS, { filter: (id) => id.provider === 'docker' && id.kubernetes.minorSlug !== '1-32' });
    const unread = (bundle: NonNullable<typeof a>): UpgradeSide => {
      const side = sideFromBundle(bundle, 'this release');
      return Object.defineProperty({ ...side }, 'objects', { get: () => expect.unreachable('the check read the objects in file order') });
    };
    expect(checkUpgrade({ from: unread(a as NonNullable<typeof a>), to: unread(b as NonNullable<typeof b>), kind: 'next-minor' }).findings).toEqual([]);
    // Asked for, they are the file's order: what a released side reads back.
    const side = sideFromBundle(a as NonNullable<typeof a>, 'this release');
    expect(Object.keys(side.objects[0] as object)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });
});

describe('upgrade paths', () => {
  const dist = (bundle: string) => sideFromFolder(bundle, join(root, 'dist', bundle));
  it('are the previous version of the same minor and the newest of the previous minor', () => {
    // A version newer than what dist/ holds: dist/ is then the previous one of the same minor.
    const to = { ...dist('openstack/scs/1-34'), stackVersion: 'v999' };
    const paths = upgradePathsTo(to, (b) => dist(b), (b) => dist(b));
    expect(paths.map((p) => `${p.kind}: ${p.from.bundle} ${p.from.stackVersion}`)).toEqual([
      `same-minor: openstack/scs/1-34 ${dist('openstack/scs/1-34').stackVersion}`,
      `next-minor: openstack/scs/1-33 ${dist('openstack/scs/1-33').stackVersion}`,
    ]);
  });
  it('skip the same version (nothing changed) and a minor without a predecessor', () => {
    expect(upgradePathsTo(dist('docker/scs/1-32'), dist, () => undefined)).toEqual([]);
  });
});

describe('Cluster API refuses the class change (ClusterClassesAreCompatible, ValidateClusterVariables)', () => {
  const from = sideFromFolder('docker/scs/1-34', join(root, 'dist/docker/scs/1-34'));
  const name = 'docker-scs-1-34-v99';
  const named = (objects: KubeObject[]) => {
    classOf(objects).metadata.name = name;
  };

  it('a removed variable', () => {
    const to = edited(from, (o) => {
      named(o);
      const spec = classOf(o).spec as { variables: { name: string }[] };
      spec.variables = spec.variables.filter((v) => v.name !== 'imageRepository');
    });
    expect(messages(checkUpgrade({ from, to, kind: 'same-minor' }).findings)).toEqual([
      `ClusterClass ${name} /spec/variables/imageRepository: variable "imageRepository" is removed: Clusters that set it are refused ("variable is not defined")`,
    ]);
  });

  it('a renamed machine deployment class', () => {
    const to = edited(from, (o) => {
      named(o);
      (classOf(o).spec as { workers: { machineDeployments: { class: string }[] } }).workers.machineDeployments[0].class = 'workers';
    });
    expect(messages(checkUpgrade({ from, to, kind: 'same-minor' }).findings)).toEqual([
      `ClusterClass ${name} /spec/workers/machineDeployments/default-worker: MachineDeploymentClass "default-worker" of docker/scs/1-34 ${from.stackVersion} is missing: every Cluster with a MachineDeployment of that class is refused ("MachineDeploymentClass with name "default-worker" does not exist in ClusterClass "${name}"")`,
    ]);
  });

  it('a swapped infrastructure kind and group', () => {
    const to = edited(from, (o) => {
      named(o);
      const ref = (classOf(o).spec as { infrastructure: { ref: { apiVersion: string; kind: string } } }).infrastructure.ref;
      ref.kind = 'OpenStackClusterTemplate';
      ref.apiVersion = 'infrastructure.example.org/v1beta1';
    });
    expect(messages(checkUpgrade({ from, to, kind: 'same-minor' }).findings)).toEqual([
      `ClusterClass ${name} /spec/infrastructure/ref/apiVersion: apiVersion.group cannot be changed from "infrastructure.cluster.x-k8s.io" to "infrastructure.example.org" to prevent incompatible changes in the Clusters (Cluster API's Cluster webhook refuses the class change)`,
      `ClusterClass ${name} /spec/infrastructure/ref/kind: apiVersion.kind cannot be changed from "DockerClusterTemplate" to "OpenStackClusterTemplate" to prevent incompatible changes in the Clusters (Cluster API's Cluster webhook refuses the class change)`,
    ]);
  });

  it('a swapped control plane kind, and a worker infrastructure kind', () => {
    const to = edited(from, (o) => {
      named(o);
      const spec = classOf(o).spec as { controlPlane: { ref: { kind: string } }; workers: { machineDeployments: { template: { infrastructure: { ref: { kind: string } } } }[] } };
      spec.controlPlane.ref.kind = 'K0smotronControlPlaneTemplate';
      spec.workers.machineDeployments[0].template.infrastructure.ref.kind = 'DevMachineTemplate';
    });
    expect(checkUpgrade({ from, to, kind: 'same-minor' }).findings.map((f) => f.path)).toEqual([
      `ClusterClass ${name} /spec/controlPlane/ref/kind`,
      `ClusterClass ${name} /spec/workers/machineDeployments/0/template/infrastructure/ref/kind`,
    ]);
  });

  it('a narrowed variable schema, a new required variable without default; widening and defaults pass', () => {
    const to = edited(from, (o) => {
      named(o);
      const spec = classOf(o).spec as { variables: { name: string; required: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[] };
      const byName = (n: string) => spec.variables.find((v) => v.name === n) as (typeof spec.variables)[number];
      byName('kubeletPodPidsLimit').schema.openAPIV3Schema.maximum = 100;
      byName('imageRepository').schema.openAPIV3Schema.pattern = '^registry\\.example\\.org/';
      spec.variables.push({ name: 'mustSet', required: true, schema: { openAPIV3Schema: { type: 'string' } } });
      spec.variables.push({ name: 'hasDefault', required: true, schema: { openAPIV3Schema: { type: 'string', default: 'x' } } });
      spec.variables.push({ name: 'optional', required: false, schema: { openAPIV3Schema: { type: 'string' } } });
    });
    const found = messages(checkUpgrade({ from, to, kind: 'same-minor' }).findings);
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/\/spec\/variables\/imageRepository\/schema\/openAPIV3Schema\/pattern: variable "imageRepository": pattern changes from .* to "\^registry\\\\\.example\\\\\.org\/"; a value a Cluster may already have can be refused$/);
    expect(found[1]).toMatch(/\/spec\/variables\/kubeletPodPidsLimit\/schema\/openAPIV3Schema\/maximum: variable "kubeletPodPidsLimit": maximum drops from .* to 100;/);
    expect(found[2]).toBe(`ClusterClass ${name} /spec/variables/mustSet: new variable "mustSet" is required and has no default: every existing Cluster is refused ("required variable "mustSet" must be set")`);
  });

  it('Kubernetes: one minor at a time, never down', () => {
    const skip = { ...from, kubernetes: 'v1.36.0', stackVersion: 'v99' };
    const down = { ...from, kubernetes: 'v1.33.10', stackVersion: 'v99' };
    expect(messages(checkUpgrade({ from, to: skip, kind: 'same-minor' }).findings)).toEqual([
      'Cluster /spec/topology/version: version cannot be increased from "v1.34.7" to "v1.36.0": one minor at a time (Cluster API\'s Cluster webhook)',
    ]);
    expect(messages(checkUpgrade({ from, to: down, kind: 'same-minor' }).findings)).toEqual([
      'Cluster /spec/topology/version: version cannot be decreased from "v1.34.7" to "v1.33.10" (Cluster API\'s Cluster webhook)',
    ]);
  });
});

describe("the operator's addon rules (ClusterAddon controller v0.2.0-alpha.1)", () => {
  const from = sideFromFolder('openstack/scs/1-34', join(root, 'dist/openstack/scs/1-34'));
  const withStages = (stages: UpgradeSide['addonStages'], folders = from.addonFolders): UpgradeSide => ({ ...from, stackVersion: 'v99', addonVersion: 'v99', addonStages: stages, addonFolders: folders, source: 'edited' });
  const drop = (name: string) => Object.fromEntries(Object.entries(from.addonStages).map(([h, s]) => [h, s.filter((x) => x.name !== name)]));

  it('an addon removed from every stage stays running, unmanaged', () => {
    const folders = new Map(from.addonFolders);
    folders.delete('csi');
    expect(messages(checkAddonsOnly(from, withStages(drop('csi'), folders)))).toEqual([
      `clusteraddon.yaml /addonStages: addon "csi" of openstack/scs/1-34 ${from.stackVersion} is removed: no stage of openstack/scs/1-34 v99 names it, so the operator never deletes it and it stays running unmanaged; keep its folder and add a "delete" stage to BeforeClusterUpgrade`,
    ]);
  });

  it('removing it with a delete stage passes', () => {
    const stages = drop('csi');
    const to = withStages({ ...stages, BeforeClusterUpgrade: [...(stages.BeforeClusterUpgrade ?? []), { name: 'csi', action: 'delete' }] });
    expect(checkAddonsOnly(from, to)).toEqual([]);
  });

  it('an addon applied after creation but not in BeforeClusterUpgrade is deleted on every upgrade', () => {
    const to = withStages({ ...from.addonStages, BeforeClusterUpgrade: (from.addonStages.BeforeClusterUpgrade ?? []).filter((s) => s.name !== 'ccm') });
    expect(messages(checkAddonsOnly(from, to))).toEqual([
      'clusteraddon.yaml /addonStages/BeforeClusterUpgrade: addon "ccm" is applied after creation but not in BeforeClusterUpgrade: the operator\'s clean-up deletes its objects on every upgrade',
    ]);
  });

  it('an added addon fails; added only to BeforeClusterUpgrade it passes (no old template is needed there)', () => {
    const folders = new Map(from.addonFolders);
    folders.set('cert-manager', new Map([['Chart.yaml', 'name: cert-manager\n']]));
    const acpi = withStages({ ...from.addonStages, AfterControlPlaneInitialized: [...(from.addonStages.AfterControlPlaneInitialized ?? []), { name: 'cert-manager', action: 'apply' }], BeforeClusterUpgrade: [...(from.addonStages.BeforeClusterUpgrade ?? []), { name: 'cert-manager', action: 'apply' }] }, folders);
    expect(checkAddonsOnly(from, acpi).map((f) => f.path)).toEqual(['clusteraddon.yaml /addonStages/AfterControlPlaneInitialized/5/name']);
    const bcuOnly = withStages({ ...from.addonStages, BeforeClusterUpgrade: [...(from.addonStages.BeforeClusterUpgrade ?? []), { name: 'cert-manager', action: 'apply' }] }, folders);
    expect(checkAddonsOnly(from, bcuOnly)).toEqual([]);
  });

  it('unknown hooks, other actions and stages without a folder', () => {
    const to = withStages({ ...from.addonStages, AfterClusterUpgrade: [{ name: 'cni', action: 'apply' }], BeforeClusterUpgrade: [...(from.addonStages.BeforeClusterUpgrade ?? []), { name: 'cni', action: 'remove' }, { name: 'ghost', action: 'apply' }] });
    expect(messages(checkAddonsOnly(from, to))).toEqual([
      'clusteraddon.yaml /addonStages/BeforeClusterUpgrade/5/action: stage "cni" has action "remove", which the operator treats as delete',
      'clusteraddon.yaml /addonStages/BeforeClusterUpgrade/6/name: stage "ghost" names no addon folder of openstack/scs/1-34 v99; the operator skips it silently',
      'clusteraddon.yaml /addonStages/AfterClusterUpgrade: the operator never runs hook "AfterClusterUpgrade" (it runs AfterControlPlaneInitialized and BeforeClusterUpgrade)',
    ]);
  });

  it('no stage runs when neither the Kubernetes nor the addon version changes', () => {
    const to = { ...withStages(drop('csi')), addonVersion: from.addonVersion };
    expect(checkAddonsOnly(from, to)).toEqual([]);
  });
});

function checkAddonsOnly(from: UpgradeSide, to: UpgradeSide): UpgradeFinding[] {
  return checkUpgrade({ from, to, kind: 'same-minor' }).findings.filter((f) => f.rule === 'operator-addon');
}

describe('the gate inside release', () => {
  /** Released v1 of the tiny stack, then dist/ edited so v1 had what the next version drops. */
  async function releasedV1(edit: (cc: Record<string, unknown>) => void): Promise<string> {
    const r = tempRoot();
    await releaseCommand({ root: r, definitions: [tinyStack()], mode: STABLE, releaseDir: join(r, 'release') });
    const file = join(r, 'dist', TINY_BUNDLE, 'cluster-class.yaml');
    const docs = yaml.loadAll(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    edit(docs.find((d) => d.kind === 'ClusterClass') as Record<string, unknown>);
    writeFileSync(file, docs.map((d) => `---\n${yaml.dump(d)}`).join(''));
    return r;
  }
  const legacyVariable = (cc: Record<string, unknown>) => {
    const spec = cc.spec as { variables?: unknown[] };
    spec.variables = [...(spec.variables ?? []), { name: 'legacy', required: false, schema: { openAPIV3Schema: { type: 'string' } } }];
  };

  it('fails a release whose upgrade path breaks, naming the path, versions and object path, and writes nothing', async () => {
    const r = await releasedV1(legacyVariable);
    const before = readTree(r);
    await expect(releaseCommand({ root: r, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: join(r, 'release') })).rejects.toThrow(
      `1 upgrade problem(s); fix them, or release with --allow-breaking <reason>:\n  upgrade ${TINY_BUNDLE} v1 → ${TINY_BUNDLE} v2: ClusterClass ${TINY_NAME}-v2 /spec/variables/legacy: variable "legacy" is removed: Clusters that set it are refused ("variable is not defined")`,
    );
    expect(readTree(r)).toEqual(before);
  });

  it('--allow-breaking releases and records the reason in the version record and hashes.json', async () => {
    const r = await releasedV1(legacyVariable);
    const summary = await releaseCommand({ root: r, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: join(r, 'release'), allowBreaking: 'legacy was never read' });
    expect(summary.upgrades).toEqual([{ path: `${TINY_BUNDLE} v1 → ${TINY_BUNDLE} v2`, kind: 'same-minor', problems: [expect.stringContaining('variable "legacy" is removed')] }]);
    const record = JSON.parse(readFileSync(join(r, TINY_RECORD), 'utf8')) as { clusterStack: string; allowBreaking?: { reason: string; findings: string[] } };
    expect(record.clusterStack).toBe('v2');
    expect(record.allowBreaking?.reason).toBe('legacy was never read');
    expect(record.allowBreaking?.findings).toEqual([expect.stringContaining(`upgrade ${TINY_BUNDLE} v1 → ${TINY_BUNDLE} v2: ClusterClass ${TINY_NAME}-v2 /spec/variables/legacy`)]);
    const hashes = JSON.parse(readFileSync(join(r, 'release', `${TINY_NAME}-v2`, 'hashes.json'), 'utf8')) as { allowBreaking?: { reason: string } };
    expect(hashes.allowBreaking?.reason).toBe('legacy was never read');
    // The next, compatible release drops the note.
    await releaseCommand({ root: r, definitions: [tinyStack({ hostpathProvisioner: 'false', metricsServerReplicas: 2 })], mode: STABLE, releaseDir: join(r, 'release') });
    expect(JSON.parse(readFileSync(join(r, TINY_RECORD), 'utf8')).allowBreaking).toBeUndefined();
  });

  it('an empty reason is refused', async () => {
    const r = await releasedV1(legacyVariable);
    await expect(releaseCommand({ root: r, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: join(r, 'release'), allowBreaking: ' ' })).rejects.toThrow('--allow-breaking needs a reason');
  });

  it('checks the path from a --from release folder (a published version)', async () => {
    const published = tempRoot();
    await releaseCommand({ root: published, definitions: [tinyStack()], mode: STABLE, releaseDir: join(published, 'release') });
    const side = await sideFromReleaseFolder(join(published, 'release', `${TINY_NAME}-v1`));
    expect(side.stackVersion).toBe('v1');
    expect(side.addonFolders.has('metrics-server')).toBe(true);
    const r = tempRoot();
    const summary = await releaseCommand({ root: r, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, from: join(published, 'release'), releaseDir: join(r, 'release') });
    expect(summary.upgrades).toEqual([{ path: `${TINY_BUNDLE} v1 → ${TINY_BUNDLE} v2`, kind: 'same-minor', problems: [] }]);
    expect(existsSync(join(r, 'release', `${TINY_NAME}-v2`))).toBe(true);
  });
});
