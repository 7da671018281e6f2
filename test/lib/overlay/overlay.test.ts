import { ApiObject, App, JsonPatch as JsonPatchOf } from 'cdk8s';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterAddon } from '../../../constructs/cluster-addon.ts';
import { ClusterStack } from '../../../constructs/cluster-stack.ts';
import { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import { defineOverlay, defineOverlayBase, type OverlayStackDefinition } from '../../../constructs/overlay/overlay.ts';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { catalogFiles, collectDocsSources } from '../../../lib/docs/generate.ts';
import { assertConformance, checkConformance, conformanceSummary } from '../../../lib/overlay/conformance.ts';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { currentHashes } from '../../../lib/release/release.ts';
import { decideVersions } from '../../../lib/release/versioning.ts';
import { synthesize } from '../../../lib/pipeline/synth.ts';
import { validateBundles } from '../../../lib/pipeline/validate.ts';
import { openstackScsBase } from '../../../stacks/openstack/scs/overlay-base.ts';
import { openstackScs } from '../../../stacks/openstack/scs/stack.ts';
import type { OpenStackScsVersions } from '../../../stacks/openstack/scs/versions.ts';

// One Kubernetes minor keeps these tests quick; the example test builds all.
const ROW = openstackScs.versions[openstackScs.versions.length - 1];
const PROFILING = '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs/profiling';

function build(definition: ClusterStackDefinition<OpenStackScsVersions>, row: OpenStackScsVersions = ROW): ClusterStack {
  const stack = new ClusterStack(new App({ outdir: '/nonexistent' }), 'test', {
    provider: definition.provider,
    stack: definition.stack,
    kubernetesVersion: KubernetesVersion.parse(row.kubernetes),
    versions: synthesize([{ ...openstackScs, versions: [row] }])[0].versions,
  });
  definition.build(stack, row);
  return stack;
}

/** An overlay whose build runs `weaken` on the built stack, bypassing defineOverlay's guards: conformance must catch it alone. */
function handWeakened(weaken: (stack: ClusterStack) => void): OverlayStackDefinition<OpenStackScsVersions> {
  return {
    provider: 'weak',
    stack: 'scs',
    description: 'weakened on purpose',
    versions: [ROW],
    build(stack, row) {
      openstackScs.build(stack, row);
      weaken(stack);
    },
    overlay: { base: openstackScs as unknown as ClusterStackDefinition<StackVersionsRow>, waivers: [], nodeImageSources: Object.values(openstackScsBase.nodeImageSources) },
  };
}

const asDefinitions = (d: ClusterStackDefinition<OpenStackScsVersions>) => [d as unknown as ClusterStackDefinition<StackVersionsRow>];

const provider = defineOverlay({
  provider: 'mycloud',
  stack: 'scs',
  description: 'test overlay',
  base: openstackScsBase,
  versions: [ROW],
  overrides: (row) => ({
    variables: {
      networkMTU: { default: 1450, example: 1450, schema: { type: 'integer', minimum: 1280, maximum: 1450 } },
      workerFlavor: { default: 'MC-4V-16' },
    },
    addons: { ccm: { values: { cloudConfig: { loadBalancer: { 'lb-provider': 'ovn' } } } } },
    // Synthesis checks addon values against lib/addon-values/contracts/, so the extra chart is one with a contract.
    extraAddons: [{ addon: new ClusterAddon({ name: 'extra', description: 'extra', chart: { name: 'hcloud-csi', repository: 'https://charts.hetzner.cloud', version: '2.22.1' } }) }],
    nodeImages: [{ image: `ubuntu-capi-image-v${row.kubernetes}`, set: { url: 'https://images.example/k.qcow2', sha256: 'a'.repeat(64) } }],
    templates: [{ template: 'worker/default-worker/infrastructure', path: '/spec/template/spec/flavor', value: 'MC-4V-16' }],
  }),
});

describe('the overlay surface of openstack/scs', () => {
  it('names only variables, patches, addons and worker classes the base builds', () => {
    const stack = build(openstackScs);
    const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name);
    expect(names(stack.clusterClass.variables)).toEqual(expect.arrayContaining([...openstackScsBase.variables]));
    expect(names(stack.clusterClass.patches)).toEqual(expect.arrayContaining([...openstackScsBase.patches]));
    expect(names(stack.addons)).toEqual(expect.arrayContaining([...openstackScsBase.addons]));
    expect(stack.clusterClass.workers.map((w) => w.class)).toEqual(expect.arrayContaining([...openstackScsBase.workerClasses]));
  });
});

describe('defineOverlay', () => {
  it('builds the base plus the overrides into valid bundles that conform', () => {
    const bundles = synthesize(asDefinitions(provider));
    expect(validateBundles(bundles)).toEqual([]);
    const file = (p: string) => bundles[0].files.find((f) => f.path === p)!.content;
    expect(file('cluster-class.yaml')).toContain('default: 1450');
    expect(file('cluster-class.yaml')).toContain('flavor: MC-4V-16');
    expect(file('node-images.yaml')).toContain('https://images.example/k.qcow2');
    expect(file('cluster-addon/ccm/values.yaml')).toContain('lb-provider: ovn');
    expect(file('clusteraddon.yaml')).toMatch(/- name: extra/);
    const [report] = assertConformance(asDefinitions(provider));
    expect(report.violations).toEqual([]);
    expect(conformanceSummary(report)).toMatch(/^conforms to openstack\/scs v[0-9]+$/);
  });

  it('refuses a loosened variable schema, naming the variable and keyword', () => {
    const loose = defineOverlay({ provider: 'loose', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { variables: { networkMTU: { schema: { type: 'integer', minimum: 0 } } } } });
    expect(() => build(loose)).toThrow(/variables\.networkMTU: the schema may only be tightened, but \.minimum: 0 is lower than the base's 68/);
  });

  it('refuses a default the tightened schema does not allow', () => {
    const bad = defineOverlay({ provider: 'bad', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { variables: { networkMTU: { default: 9000, schema: { type: 'integer', minimum: 68, maximum: 1500 } } } } });
    expect(() => build(bad)).toThrow(/variables\.networkMTU: default 9000 does not satisfy the schema: \.: 9000 is above the maximum 1500/);
  });

  it('refuses removing an addon without a waiver, and reports the waiver with its reason', () => {
    const noWaiver = defineOverlay({ provider: 'drop', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { remove: { addons: ['metrics-server'] } } });
    expect(() => build(noWaiver)).toThrow(/remove\.addons: 'metrics-server' needs a waiver 'addon:metrics-server'/);
    const waived = defineOverlay({
      provider: 'drop',
      stack: 'scs',
      description: 'x',
      base: openstackScsBase,
      versions: [ROW],
      overrides: { remove: { addons: ['metrics-server'] } },
      waivers: [{ component: 'addon:metrics-server', reason: 'MyCloud runs its own metrics pipeline' }],
    });
    const [report] = assertConformance(asDefinitions(waived));
    expect(conformanceSummary(report)).toMatch(/^conforms to openstack\/scs v[0-9]+, 1 waiver: addon:metrics-server \(MyCloud runs its own metrics pipeline\)$/);
  });

  it('refuses a waiver without a reason', () => {
    expect(() => defineOverlay({ provider: 'w', stack: 'scs', description: 'x', base: openstackScsBase, waivers: [{ component: 'addon:ccm', reason: ' ' }] })).toThrow(/waivers\[0\] \(addon:ccm\) has no reason/);
  });

  it('refuses names the base does not have', () => {
    const wrongImage = defineOverlay({ provider: 'w', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { nodeImages: [{ image: 'nope', set: { url: 'https://x' } }] } });
    expect(() => build(wrongImage)).toThrow(/nodeImages\[0\]: the base has no node image 'nope'/);
    const wrongTemplate = defineOverlay({
      provider: 'w',
      stack: 'scs',
      description: 'x',
      base: openstackScsBase,
      versions: [ROW],
      // A worker class the base lacks does not compile; the run-time check covers callers without types.
      overrides: { templates: [{ template: 'worker/gpu/infrastructure' as 'worker/default-worker/infrastructure', path: '/spec/template/spec/flavor', value: 'x' }] },
    });
    expect(() => build(wrongTemplate)).toThrow(/templates\[0\]: no template 'worker\/gpu\/infrastructure'/);
  });
});

describe('conformance', () => {
  const violations = (d: OverlayStackDefinition<OpenStackScsVersions>) => checkConformance(asDefinitions(d))[0].violations;

  it('fails an overlay that removes a hardening setting, naming the setting and the base', () => {
    const weak = defineOverlay({ provider: 'weak', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { templates: [{ template: 'controlPlane', path: PROFILING, remove: true }] } });
    const found = violations(weak);
    expect(found.map((f) => f.component)).toContain('hardening:apiServer/profiling');
    expect(found.find((f) => f.component === 'hardening:apiServer/profiling')!.message).toBe("base hardening setting apiServer --profiling=false is removed (openstack/scs)");
    // The baseline's own static check fails too.
    expect(found.some((f) => f.component.startsWith('hardening:check:'))).toBe(true);
    expect(() => assertConformance(asDefinitions(weak))).toThrow(/weak\/scs 1\.34: base hardening setting apiServer --profiling=false is removed \(openstack\/scs\) \(waiver: hardening:apiServer\/profiling\)/);
  });

  it('fails an overlay that changes a hardening setting, and a waiver covers it', () => {
    const overrides = { templates: [{ template: 'controlPlane' as const, path: PROFILING, value: 'true' }] };
    const weak = defineOverlay({ provider: 'weak', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides });
    expect(violations(weak).map((f) => f.message)).toContain('base hardening setting apiServer --profiling is "true" instead of "false" (openstack/scs)');
    const waivers = [
      { component: 'hardening:apiServer/profiling' as const, reason: 'profiling for a support case' },
      ...violations(weak).filter((f) => f.component.startsWith('hardening:check:')).map((f) => ({ component: f.component as `hardening:${string}`, reason: 'same' })),
    ];
    const waived = defineOverlay({ provider: 'weak', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides, waivers });
    const [report] = checkConformance(asDefinitions(waived));
    expect(report.violations).toEqual([]);
    expect(report.waived.map((w) => w.component)).toContain('hardening:apiServer/profiling');
  });

  it('fails an overlay that changes the default of a hardening variable', () => {
    const weak = defineOverlay({ provider: 'weak', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { variables: { kubeletSeccompDefault: { default: false } } } });
    expect(violations(weak).map((f) => f.message)).toContain("base hardening variable 'kubeletSeccompDefault' default is false instead of true (openstack/scs)");
  });

  it('release refuses an overlay that does not conform, writing nothing', async () => {
    const weak = handWeakened((stack) => stack.removeAddon('metrics-server'));
    const root = mkdtempSync(join(tmpdir(), 'overlay-release-'));
    try {
      await expect(releaseCommand({ root, definitions: asDefinitions(weak), mode: { kind: 'stable' }, releaseDir: join(root, 'release') })).rejects.toThrow(
        /overlay conformance failed:\n {2}weak\/scs 1\.[0-9]+: base addon 'metrics-server' .* is missing \(openstack\/scs\) \(waiver: addon:metrics-server\)/,
      );
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails an overlay that loosens a variable schema, naming the variable', () => {
    const weak = handWeakened((stack) => {
      const mtu = stack.clusterClass.variables.find((v) => v.name === 'networkMTU')!;
      stack.clusterClass.replaceVariable({ ...mtu, openApiSchema: { ...mtu.openApiSchema, minimum: 0 } });
    });
    expect(violations(weak)).toEqual([{ component: 'variable:networkMTU', message: "base variable 'networkMTU' has a weaker schema: .minimum: 0 is lower than the base's 68 (openstack/scs)" }]);
  });

  it('fails an overlay that drops an addon, naming the addon', () => {
    const weak = handWeakened((stack) => stack.removeAddon('metrics-server'));
    expect(violations(weak).map((f) => f.message)).toEqual([expect.stringMatching(/^base addon 'metrics-server' \(metrics-server [0-9.]+\) is missing \(openstack\/scs\)$/)]);
  });

  it('fails an overlay with an older addon chart or another chart', () => {
    // 3.12.2: an older version with a values contract (synthesis refuses charts without one).
    const older = defineOverlay({ provider: 'old', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], overrides: { addons: { 'metrics-server': { chartVersion: '3.12.2' } } } });
    expect(violations(older).map((f) => f.message)).toEqual([expect.stringMatching(/^base addon 'metrics-server' chart version 3\.12\.2 is older than the base's [0-9.]+ \(openstack\/scs\)$/)]);
    const other = handWeakened((stack) => {
      const cni = stack.addons.find((a) => a.name === 'cni')!;
      // Another chart (one with a values contract) under the base's addon name.
      stack.replaceAddon(new ClusterAddon({ name: 'cni', description: 'x', chart: { ...cni.chart, name: 'metrics-server', version: '3.13.0' } }));
    });
    expect(violations(other).map((f) => f.component)).toEqual(['addon:cni']);
  });

  it('fails an overlay that drops a patch', () => {
    const dropped = handWeakened((stack) => stack.clusterClass.removePatch('encryptionAtRest'));
    expect(violations(dropped).map((f) => f.message)).toContain("base patch 'encryptionAtRest' is missing (openstack/scs)");
  });

  it('fails an overlay that changes a node image rule but not one that changes its source', () => {
    const weak = handWeakened((stack) => {
      const image = stack.nodeImages.node.children.find((c): c is ApiObject => c instanceof ApiObject)!;
      image.addJsonPatch(JsonPatchOf.replace('/spec/resource/content/download/hash/algorithm', 'md5'));
    });
    expect(violations(weak).map((f) => f.message)).toEqual([expect.stringMatching(/^base node image 'ubuntu-capi-image-v[0-9.]+' rule \/spec\/resource\/content\/download\/hash\/algorithm is "md5" instead of "sha256" \(openstack\/scs\)$/)]);
    expect(violations(provider)).toEqual([]);
  });

  it('reports a waiver that covers nothing as stale, and release refuses it', () => {
    const stale = defineOverlay({ provider: 'st', stack: 'scs', description: 'x', base: openstackScsBase, versions: [ROW], waivers: [{ component: 'addon:ccm', reason: 'left over' }] });
    expect(checkConformance(asDefinitions(stale))[0].staleWaivers).toEqual(['addon:ccm']);
    expect(() => assertConformance(asDefinitions(stale))).toThrow(/waiver addon:ccm covers nothing/);
  });
});

describe('docs', () => {
  it('the catalog and pages say which base an overlay conforms to, with every waiver and its reason', () => {
    const waived = defineOverlay({
      provider: 'drop',
      stack: 'scs',
      description: 'Drops metrics-server',
      base: openstackScsBase,
      versions: [ROW],
      overrides: { remove: { addons: ['metrics-server'] } },
      waivers: [{ component: 'addon:metrics-server', reason: 'MyCloud runs its own metrics pipeline' }],
    });
    const [source] = collectDocsSources({ root: process.cwd(), definitions: asDefinitions(waived), history: undefined });
    expect(source.description).toMatch(/^Drops metrics-server\. Overlay: conforms to openstack\/scs v[0-9]+, 1 waiver: addon:metrics-server \(MyCloud runs its own metrics pipeline\)\.$/);
    const catalog = catalogFiles([source]).find((f) => f.path === 'README.md')!.content;
    expect(catalog).toContain('1 waiver: addon:metrics-server (MyCloud runs its own metrics pipeline)');
  });
});

describe('versions follow content', () => {
  it('a base fix changes the content of every derived bundle, so each gets a new version', () => {
    // The same base with one fix: a stricter CCM value, as a security fix would land.
    const fixedBase = defineOverlayBase(
      {
        ...openstackScs,
        build(stack, row) {
          openstackScs.build(stack, row);
          const ccm = stack.addons.find((a) => a.name === 'ccm')!;
          stack.replaceAddon(new ClusterAddon({ name: 'ccm', description: ccm.description, chart: ccm.chart, values: { ...ccm.values, dnsPolicy: 'ClusterFirst' }, ...(ccm.overwrite ? { overwrite: ccm.overwrite } : {}) }));
        },
      },
      { variables: [], patches: [], addons: ['ccm'], workerClasses: ['default-worker'], nodeImageSources: openstackScsBase.nodeImageSources },
    );
    const overlayOn = (base: typeof fixedBase) => defineOverlay({ provider: 'mycloud', stack: 'scs', description: 'x', base, versions: openstackScs.versions, overrides: { addons: { ccm: { values: { cloudConfig: { loadBalancer: { 'lb-provider': 'ovn' } } } } } } });
    const before = currentHashes(asDefinitions(overlayOn(openstackScsBase as unknown as typeof fixedBase)));
    const after = currentHashes(asDefinitions(overlayOn(fixedBase)));
    expect(before.size).toBe(openstackScs.versions.length);
    for (const [name, hashes] of after) {
      const previous = before.get(name)!;
      expect(hashes.clusterAddon).not.toBe(previous.clusterAddon);
      const decision = decideVersions(hashes, { versions: synthesize(asDefinitions(overlayOn(fixedBase)))[0].versions, hashes: previous, source: 'test' }, { kind: 'stable' });
      expect(decision.isNewVersion).toBe(true);
      expect(decision.versions.clusterAddon.toString()).toBe('v2');
    }
  });
});

