import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffCommand } from '../../../cli/commands/diff.ts';
import { releaseCommand } from '../../../cli/commands/release.ts';
import { tempRoot, TINY_NAME, tinyStack } from '../../lib/release/test-stack.ts';

const STABLE = { kind: 'stable' } as const;
const CHANGED_PATH = '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/controllerManager/extraArgs/enable-hostpath-provisioner';

/** The parts of diffCommand's JSON these tests read. */
interface DiffJson {
  readonly from: string;
  readonly to: string;
  readonly files: readonly {
    readonly kind: string;
    readonly path: string;
    readonly objects?: readonly {
      readonly kind: string;
      readonly objectKind?: string;
      readonly name: string;
      readonly beforeName?: string;
      readonly afterName?: string;
      readonly fields: readonly { readonly path: string; readonly kind: string; readonly before?: unknown; readonly after?: unknown }[];
    }[];
  }[];
}

describe('diffCommand between two release folders', () => {
  let root: string;
  let before: string;
  let after: string;

  beforeAll(async () => {
    root = tempRoot();
    await releaseCommand({ root, definitions: [tinyStack()], mode: STABLE, releaseDir: join(root, 'before') });
    // One line of the stack changes: the controller manager's extra arg.
    await releaseCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false' })], mode: STABLE, releaseDir: join(root, 'after') });
    before = join(root, 'before', `${TINY_NAME}-v1`);
    after = join(root, 'after', `${TINY_NAME}-v2`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names the changed object and the JSON pointer of the changed field in the text', async () => {
    const { text } = await diffCommand({ root, definitions: [tinyStack()], from: before, to: after });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`${TINY_NAME}-v1 → ${TINY_NAME}-v2`);
    const object = lines.indexOf(`    ~ KubeadmControlPlaneTemplate ${TINY_NAME}-<version>-control-plane`);
    expect(object, `no KubeadmControlPlaneTemplate section in:\n${text}`).toBeGreaterThan(0);
    expect(lines).toContain(`      ~ ${CHANGED_PATH}: "true" → "false"`);
    expect(lines.indexOf(`      ~ ${CHANGED_PATH}: "true" → "false"`)).toBeGreaterThan(object);
    // The version bump shows in metadata.yaml; the addon and node image files are untouched.
    expect(lines).toContain('  ~ metadata.yaml');
    expect(lines).toContain('    ~ /versions/clusterStack: "v1" → "v2"');
    expect(text).not.toContain('cluster-addon/');
    expect(text).not.toContain('node-images.yaml');
    expect(text).not.toContain('clusteraddon.yaml');
  });

  it('pairs every renamed object with its successor instead of reporting it removed and added', async () => {
    const { text } = await diffCommand({ root, definitions: [tinyStack()], from: before, to: after });
    expect(text).not.toMatch(/^\s+[-+] (ClusterClass|KubeadmControlPlaneTemplate|KubeadmConfigTemplate|DockerClusterTemplate|DockerMachineTemplate) /m);
    expect(text).toContain(`      ~ /metadata/name: "${TINY_NAME}-v1-control-plane" → "${TINY_NAME}-v2-control-plane"`);
  });

  it('gives the same object and JSON pointer in the JSON output', async () => {
    const { json } = await diffCommand({ root, definitions: [tinyStack()], from: before, to: after });
    const diff = json as unknown as DiffJson;
    expect({ from: diff.from, to: diff.to }).toEqual({ from: before, to: after });
    expect(diff.files.map((f) => `${f.kind} ${f.path}`)).toEqual(['changed cluster-class.yaml', 'changed metadata.yaml']);
    const kcp = diff.files[0].objects?.find((o) => o.objectKind === 'KubeadmControlPlaneTemplate');
    expect(kcp).toMatchObject({ kind: 'changed', name: `${TINY_NAME}-<version>-control-plane`, beforeName: `${TINY_NAME}-v1-control-plane`, afterName: `${TINY_NAME}-v2-control-plane` });
    expect(kcp?.fields).toContainEqual({ path: CHANGED_PATH, kind: 'changed', before: 'true', after: 'false' });
    expect(diff.files[1].objects?.[0].fields).toEqual([{ path: '/versions/clusterStack', kind: 'changed', before: 'v1', after: 'v2' }]);
  });

  it('reports no change between a release folder and a copy of it', async () => {
    const copy = join(root, 'copy', `${TINY_NAME}-v1`);
    cpSync(before, copy, { recursive: true });
    const result = await diffCommand({ root, definitions: [tinyStack()], from: before, to: copy });
    expect(result.text).toBe(`${TINY_NAME}-v1 → ${TINY_NAME}-v1\n  no change\n`);
    expect((result.json as unknown as DiffJson).files).toEqual([]);
  });

  it('explains a working-tree change against a release folder, with the versions it gets', async () => {
    const { text } = await diffCommand({ root, definitions: [tinyStack({ hostpathProvisioner: 'false', metricsServerReplicas: 4 })], from: after });
    expect(text.split('\n')[0]).toBe('docker/tiny/1-34: stack v2, addon v1, node image v1 → stack v3, addon v2, node image v1 (changed: clusterAddon)');
    expect(text).toContain('  ~ cluster-addon/metrics-server/values.yaml\n    ~ /metrics-server/replicas: 1 → 4\n');
  });

  it('fails when --to is given without --from', async () => {
    await expect(diffCommand({ root, definitions: [tinyStack()], to: after })).rejects.toThrow('--to needs --from: a diff between two release folders');
  });

  it('fails when the --from release folder belongs to no shipped stack, naming the folder', async () => {
    const other = join(root, 'other', 'docker-other-1-34-v1');
    cpSync(before, other, { recursive: true });
    await expect(diffCommand({ root, definitions: [tinyStack()], from: other })).rejects.toThrow(`${other}: no shipped stack matches this release folder's name`);
  });

  it('fails when the --to release folder does not exist, naming it', async () => {
    const missing = join(root, 'after', `${TINY_NAME}-v9`);
    await expect(diffCommand({ root, definitions: [tinyStack()], from: before, to: missing })).rejects.toThrow(`${missing}: no such release folder`);
  });
});
