import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { componentProblems } from '../../constructs/node-image/components.ts';
import { IMAGE_BUILDER } from '../../constructs/node-image/image-builder-contract.ts';
import { NodeImageBuild, type NodeImageBuildProps } from '../../constructs/node-image/node-image-build.ts';
import { componentHashes } from '../../lib/release/content-hash.ts';
import { planRelease } from '../../lib/release/release.ts';
import { synthesize } from '../../lib/pipeline/synth.ts';
import { NODE_IMAGE_COMPONENTS } from '../../stacks/node-image-components.ts';
import { openstackScs } from '../../stacks/openstack/scs/stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const props: NodeImageBuildProps = {
  target: 'openstack',
  build: 'ubuntu-2404',
  kubernetes: KubernetesVersion.parse('1.34.7'),
  components: NODE_IMAGE_COMPONENTS['1.34'],
  imageName: 'ubuntu-capi-image-v1.34.7',
};

describe('NodeImageBuild', () => {
  it('emits only variables of the pinned image-builder release, every one a string', () => {
    const vars = new NodeImageBuild({ ...props, kernelParameters: { 'kernel.panic': '10' }, variables: { image_disk_format: 'qcow2' } }, 'test').packerVariables();
    const known = IMAGE_BUILDER.targets.openstack.variables;
    for (const [name, value] of Object.entries(vars)) {
      expect(known, name).toHaveProperty(name);
      expect(typeof value, name).toBe('string');
    }
    expect(vars).toMatchObject({
      kubernetes_semver: 'v1.34.7',
      kubernetes_series: 'v1.34',
      kubernetes_deb_version: '1.34.7-1.1',
      containerd_version: props.components.containerd.version,
      runc_version: props.components.runc.version,
      crictl_version: props.components.crictl.version,
      kubernetes_cni_semver: `v${props.components.cniPlugins.version}`,
      extra_kernel_boot_params: 'sysctl.kernel.panic=10',
    });
  });

  it('refuses a variable image-builder does not have, naming the nearest one', () => {
    expect(() => new NodeImageBuild({ ...props, variables: { image_disk_fromat: 'qcow2' } }, 'stack x node image build')).toThrow(
      "stack x node image build packer variable: 'image_disk_fromat' is not a variable of image-builder v0.1.55 for openstack (did you mean 'image_disk_format'?)",
    );
  });

  it('refuses a variable that is not a string', () => {
    const variables = { image_disk_format: 2 } as unknown as Record<string, string>;
    expect(() => new NodeImageBuild({ ...props, variables }, 'x')).toThrow("x packer variable: 'image_disk_format' must be a string");
  });

  it('refuses an OS build the target does not have', () => {
    expect(() => new NodeImageBuild({ ...props, build: 'ubuntu-1804' }, 'x')).toThrow("x.build: image-builder v0.1.55 has no build 'ubuntu-1804' for openstack");
  });

  it('refuses a malformed checksum or version, naming the component', () => {
    const bad = { ...props.components, runc: { version: 'v1.3.6', sha256: 'abc' } };
    expect(componentProblems(bad, 'row')).toEqual([
      "row.runc.version: expected <major>.<minor>.<patch> without 'v', got 'v1.3.6'",
      "row.runc.sha256: expected 64 lower-case hex digits, got 'abc'",
    ]);
    expect(() => new NodeImageBuild({ ...props, components: bad }, 'x')).toThrow('x.components.runc.sha256');
  });

  it('refuses a kernel parameter that would inject into the command line', () => {
    expect(() => new NodeImageBuild({ ...props, kernelParameters: { 'kernel.panic': '10 init=/bin/sh' } }, 'x')).toThrow("x.kernelParameters: 'kernel.panic=10 init=/bin/sh'");
  });

  it('writes a build script bash accepts, which refuses a checkout at another commit before building', () => {
    const files = new NodeImageBuild(props, 'x').files();
    expect(files.map((f) => f.path)).toEqual(['node-image/packer-variables.json', 'node-image/SHA256SUMS', 'node-image/build.sh']);
    const dir = mkdtempSync(join(tmpdir(), 'node-image-build-'));
    try {
      for (const f of files) writeFileSync(join(dir, f.path.split('/')[1]!), f.content);
      execFileSync('bash', ['-n', join(dir, 'build.sh')]);
      const checkout = join(dir, 'image-builder');
      execFileSync('git', ['init', '-q', checkout]);
      execFileSync('git', ['-C', checkout, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'not the pin']);
      let stderr = '';
      try {
        execFileSync('bash', [join(dir, 'build.sh')], { env: { ...process.env, IMAGE_BUILDER: checkout }, stdio: 'pipe' });
      } catch (e) {
        stderr = String((e as { stderr: Buffer }).stderr);
      }
      expect(stderr).toContain(`is not at v0.1.55 (${IMAGE_BUILDER.source.commit})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('node image build instructions in the openstack/scs bundles', () => {
  it('are part of the node image component only', () => {
    const bundles = synthesize([openstackScs]);
    for (const b of bundles) {
      expect(b.files.some((f) => f.path === 'node-image/packer-variables.json'), b.path).toBe(true);
      const without = componentHashes(b.files.filter((f) => !f.path.startsWith('node-image/')), b.identity.kubernetes.toString());
      const withBuild = componentHashes(b.files, b.identity.kubernetes.toString());
      expect({ ...withBuild, nodeImage: '' }).toEqual({ ...without, nodeImage: '' });
      expect(withBuild.nodeImage).not.toBe(without.nodeImage);
    }
  });

  it('a new containerd bumps the node image and stack versions, and nothing else', async () => {
    const edited = {
      ...openstackScs,
      versions: openstackScs.versions.map((row) => ({
        ...row,
        nodeImageComponents: { ...row.nodeImageComponents, containerd: { version: '2.2.6', sha256: '0'.repeat(64) } },
      })),
    };
    const before = await planRelease({ root: ROOT, definitions: [openstackScs], mode: { kind: 'stable' } });
    const after = await planRelease({ root: ROOT, definitions: [edited], mode: { kind: 'stable' } });
    for (const [i, entry] of after.entries.entries()) {
      const prev = before.entries[i]!.decision.versions;
      const next = entry.decision.versions;
      expect(before.entries[i]!.decision.isNewVersion, 'the committed records are current').toBe(false);
      expect(next.clusterStack.toString()).toBe(`v${Number(prev.clusterStack.toString().slice(1)) + 1}`);
      expect(next.nodeImage.toString()).toBe(`v${Number(prev.nodeImage.toString().slice(1)) + 1}`);
      expect(next.clusterAddon.toString()).toBe(prev.clusterAddon.toString());
      expect(entry.hashes.clusterClass).toBe(before.entries[i]!.hashes.clusterClass);
      expect(entry.hashes.clusterAddon).toBe(before.entries[i]!.hashes.clusterAddon);
    }
  });
});
