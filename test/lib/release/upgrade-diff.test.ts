/** `diff` explains, per upgrade path, what an upgrade does to a running cluster (lib/release/upgrade-effects.ts). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCommand } from '../../../cli/commands/diff.ts';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { releaseFromGit } from '../../../lib/release/upgrade-history.ts';
import { tempRoot, tinyStack } from './test-stack.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const STABLE = { kind: 'stable' } as const;

describe('diff says what an upgrade does to a running cluster', () => {
  let root: string;
  beforeAll(async () => {
    root = tempRoot();
    await releaseCommand({ root, definitions: [tinyStack()], mode: STABLE, releaseDir: join(root, 'release') });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a KubeadmControlPlaneTemplate change: the control plane is patched in place, worker templates do not rotate, addons untouched', async () => {
    const { text, json } = await diffCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })] });
    expect(text).toContain(
      [
        `  upgrade docker/tiny/1-34 v1 → docker/tiny/1-34 v2 (same minor, Kubernetes v1.34.7 (unchanged))`,
        '    unchanged infrastructure cluster (DockerClusterTemplate): nothing',
        '    in place  control plane (KubeadmControlPlaneTemplate): KubeadmControlPlane patched in place; control plane machines roll if its kubeadmConfigSpec changed',
        '    unchanged control plane machine infrastructure (DockerMachineTemplate): nothing',
        '    unchanged workers default-worker bootstrap (KubeadmConfigTemplate): nothing',
        '    unchanged workers default-worker infrastructure (DockerMachineTemplate): nothing',
        '    addons: metrics-server untouched',
        '    Cluster API and the operator accept this path',
      ].join('\n'),
    );
    const upgrades = (json as unknown as { bundles: { upgrades: { path: string }[] }[] }).bundles[0].upgrades;
    expect(upgrades.map((u) => u.path)).toEqual(['docker/tiny/1-34 v1 → docker/tiny/1-34 v2']);
  });

  it('an addon change: the operator upgrades the addon, no machine rolls', async () => {
    const { text } = await diffCommand({ root, definitions: [tinyStack({ metricsServerReplicas: 3 })] });
    expect(text).toContain('    addons: metrics-server upgraded\n');
    expect(text).not.toContain('rotated');
  });

  it('nothing changed: no upgrade section', async () => {
    const { text } = await diffCommand({ root, definitions: [tinyStack()] });
    expect(text).not.toContain('upgrade ');
  });

  it("between the project's own v1 and v2 release folders (from git): rotated templates, the installed addon, and the operator failure", async () => {
    const base = tempRoot();
    for (const commit of ['5fc3ea0', '0f18b0e']) {
      const { tag, files } = await releaseFromGit(REPO, commit, 'docker/scs/1-34');
      mkdirSync(join(base, tag), { recursive: true });
      for (const f of files) writeFileSync(join(base, tag, f.path), f.content);
    }
    const { text, json } = await diffCommand({ root: REPO, definitions: [tinyStack()], from: join(base, 'docker-scs-1-34-v1'), to: join(base, 'docker-scs-1-34-v2') });
    expect(text).toContain('  upgrade docker/scs/1-34 v1 → docker/scs/1-34 v2 (same minor, Kubernetes v1.34.7 (unchanged))\n');
    expect(text).toContain('    rotated   workers default-worker bootstrap (KubeadmConfigTemplate): rotated to a new name: rolling replacement of the default-worker workers\n');
    expect(text).toContain('    addons: cni unchanged, kubelet-csr-approver installed, metrics-server upgraded\n');
    expect(text).toContain('    BREAKS: upgrade docker/scs/1-34 v1 → docker/scs/1-34 v2: clusteraddon.yaml /addonStages/AfterControlPlaneInitialized/1/name: addon "kubelet-csr-approver" is new');
    expect((json as unknown as { upgrade: { addons: unknown[] } }).upgrade.addons).toEqual([
      { addon: 'cni', change: 'unchanged' },
      { addon: 'kubelet-csr-approver', change: 'installed' },
      { addon: 'metrics-server', change: 'upgraded' },
    ]);
    rmSync(base, { recursive: true, force: true });
  });
});
