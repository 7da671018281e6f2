import { describe, expect, it } from 'vitest';
import type { ClusterStackVersions } from '../../../constructs/metadata.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import type { ComponentHashes } from '../../../lib/release/content-hash.ts';
import { decideVersions, type PreviousRelease } from '../../../lib/release/versioning.ts';

const HASHES: ComponentHashes = { clusterClass: 'cc-1', clusterAddon: 'addon-1', nodeImage: 'image-1', kubernetes: '1.34.7' };
const SOURCE = 'stacks/docker/scs/version-record/1-34.json';
const STABLE = { kind: 'stable' } as const;

function versions(stack: string, addon: string, node: string): ClusterStackVersions {
  return { clusterStack: StackVersion.parse(stack), clusterAddon: StackVersion.parse(addon), nodeImage: StackVersion.parse(node) };
}

/** The previous release: stack v4, addon v2, node image v3, released for HASHES. */
function previous(v: ClusterStackVersions = versions('v4', 'v2', 'v3')): PreviousRelease {
  return { versions: v, hashes: HASHES, source: SOURCE };
}

/** The three versions as strings, for one readable assertion. */
function strings(v: ClusterStackVersions): { clusterStack: string; clusterAddon: string; nodeImage: string } {
  return { clusterStack: v.clusterStack.toString(), clusterAddon: v.clusterAddon.toString(), nodeImage: v.nodeImage.toString() };
}

describe('decideVersions, stable mode', () => {
  it('gives v1 to the stack, the addons and the node images on a first release', () => {
    const d = decideVersions(HASHES, undefined, STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v1', clusterAddon: 'v1', nodeImage: 'v1' });
    expect(d.isNewVersion).toBe(true);
    expect(d.changed).toEqual(['clusterClass', 'clusterAddon', 'nodeImage', 'kubernetes']);
    expect(d.reason).toBe('first release');
  });

  it('keeps every version when nothing changed', () => {
    const d = decideVersions({ ...HASHES }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v4', clusterAddon: 'v2', nodeImage: 'v3' });
    expect(d.isNewVersion).toBe(false);
    expect(d.changed).toEqual([]);
    expect(d.reason).toContain('no change');
    expect(d.reason).toContain('v4');
    expect(d.reason).toContain(SOURCE);
  });

  it('bumps only the stack when only the ClusterClass changed (the change csctl misses)', () => {
    const d = decideVersions({ ...HASHES, clusterClass: 'cc-2' }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v5', clusterAddon: 'v2', nodeImage: 'v3' });
    expect(d.isNewVersion).toBe(true);
    expect(d.changed).toEqual(['clusterClass']);
    expect(d.reason).toBe('clusterClass changed since v4');
  });

  it('bumps the stack and the addon version when addon content changed', () => {
    const d = decideVersions({ ...HASHES, clusterAddon: 'addon-2' }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v5', clusterAddon: 'v3', nodeImage: 'v3' });
    expect(d.changed).toEqual(['clusterAddon']);
  });

  it('bumps the stack and the node image version when node image content changed', () => {
    const d = decideVersions({ ...HASHES, nodeImage: 'image-2' }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v5', clusterAddon: 'v2', nodeImage: 'v4' });
    expect(d.changed).toEqual(['nodeImage']);
  });

  it('bumps only the stack when only the Kubernetes patch version changed', () => {
    const d = decideVersions({ ...HASHES, kubernetes: '1.34.8' }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v5', clusterAddon: 'v2', nodeImage: 'v3' });
    expect(d.changed).toEqual(['kubernetes']);
    expect(d.reason).toBe('kubernetes changed since v4');
  });

  it('bumps every version when everything changed', () => {
    const d = decideVersions({ clusterClass: 'cc-2', clusterAddon: 'addon-2', nodeImage: 'image-2', kubernetes: '1.34.8' }, previous(), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v5', clusterAddon: 'v3', nodeImage: 'v4' });
    expect(d.changed).toEqual(['clusterClass', 'clusterAddon', 'nodeImage', 'kubernetes']);
    expect(d.isNewVersion).toBe(true);
  });

  it('keeps a pre-release version when nothing changed (no bump is needed)', () => {
    const d = decideVersions(HASHES, previous(versions('v3-rc.1', 'v3-rc.1', 'v3-rc.1')), STABLE);
    expect(strings(d.versions)).toEqual({ clusterStack: 'v3-rc.1', clusterAddon: 'v3-rc.1', nodeImage: 'v3-rc.1' });
    expect(d.isNewVersion).toBe(false);
  });

  it('fails when the previous stack version is a pre-release, naming the source', () => {
    expect(() => decideVersions({ ...HASHES, clusterClass: 'cc-2' }, previous(versions('v3-rc.1', 'v2', 'v3')), STABLE)).toThrow(
      `${SOURCE}: the previous cluster stack version v3-rc.1 is not a stable version, so stable mode cannot bump it; release with custom versions instead`,
    );
  });

  it('fails when the previous addon version is a pre-release and the addons changed, naming the source', () => {
    expect(() => decideVersions({ ...HASHES, clusterAddon: 'addon-2' }, previous(versions('v4', 'v0-sha.abc1234', 'v3')), STABLE)).toThrow(
      `${SOURCE}: the previous cluster addon version v0-sha.abc1234 is not a stable version`,
    );
  });

  it('fails when the previous node image version is a pre-release and the node images changed, naming the source', () => {
    expect(() => decideVersions({ ...HASHES, nodeImage: 'image-2' }, previous(versions('v4', 'v2', 'v1-beta.2')), STABLE)).toThrow(
      `${SOURCE}: the previous node image version v1-beta.2 is not a stable version`,
    );
  });
});

describe('decideVersions, hash mode', () => {
  const HASH = { kind: 'hash' } as const;

  it('gives v0-sha.<7 hex> to the stack, the addons and the node images', () => {
    const d = decideVersions(HASHES, previous(), HASH);
    const v = d.versions.clusterStack.toString();
    expect(v).toMatch(/^v0-sha\.[0-9a-f]{7}$/);
    expect(strings(d.versions)).toEqual({ clusterStack: v, clusterAddon: v, nodeImage: v });
    expect(d.isNewVersion).toBe(true);
    expect(d.reason).toContain(v);
  });

  it('is deterministic: equal hashes give the same version, with or without a previous release', () => {
    const a = decideVersions(HASHES, undefined, HASH).versions.clusterStack.toString();
    const b = decideVersions({ ...HASHES }, previous(), HASH).versions.clusterStack.toString();
    expect(b).toBe(a);
  });

  it('gives a different version for different content, whichever component changed', () => {
    const base = decideVersions(HASHES, undefined, HASH).versions.clusterStack.toString();
    const others = [
      { ...HASHES, clusterClass: 'cc-2' },
      { ...HASHES, clusterAddon: 'addon-2' },
      { ...HASHES, nodeImage: 'image-2' },
      { ...HASHES, kubernetes: '1.34.8' },
    ].map((h) => decideVersions(h, undefined, HASH).versions.clusterStack.toString());
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('gives a version that StackVersion.parse reads back, and a tag form that parseTag reads back', () => {
    const v = decideVersions(HASHES, undefined, HASH).versions.clusterStack;
    const hash = v.toString().slice('v0-sha.'.length);
    expect(StackVersion.parse(v.toString()).equals(v)).toBe(true);
    expect(v.toTag()).toBe(`v0-sha-${hash}`);
    expect(StackVersion.parseTag(v.toTag()).equals(v)).toBe(true);
    expect(v.isStable).toBe(false);
    expect(v.major).toBe(0);
  });
});

describe('decideVersions, custom mode', () => {
  it('returns the given versions, whatever the previous release and the changes', () => {
    const given = versions('v3-rc.1', 'v2', 'v7');
    const d = decideVersions({ ...HASHES, clusterClass: 'cc-2' }, previous(), { kind: 'custom', versions: given });
    expect(d.versions).toBe(given);
    expect(d.isNewVersion).toBe(true);
    expect(d.changed).toEqual(['clusterClass']);
    expect(d.reason).toBe('custom versions stack v3-rc.1, addon v2, node image v7');
  });

  it('returns the given versions on a first release too', () => {
    const given = versions('v9', 'v9', 'v9');
    expect(strings(decideVersions(HASHES, undefined, { kind: 'custom', versions: given }).versions)).toEqual({ clusterStack: 'v9', clusterAddon: 'v9', nodeImage: 'v9' });
  });
});
