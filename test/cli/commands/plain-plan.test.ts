import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { plainPlan } from '../../../cli/commands/release-parallel.ts';
import { planRelease } from '../../../lib/release/release.ts';
import { tempRoot, TINY_BUNDLE, tinyStack } from '../../lib/release/test-stack.ts';

describe('plainPlan', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('carries the dist/ files of a release that updates the sources, and none of one that does not', async () => {
    const stable = plainPlan(await planRelease({ root, definitions: [tinyStack()], mode: { kind: 'stable' } }));
    expect(stable.updatesSources).toBe(true);
    const [bundle] = stable.bundles;
    expect(bundle?.path).toBe(TINY_BUNDLE);
    expect(bundle?.distFiles.map((f) => f.path)).toContain('cluster-class.yaml');

    const hash = plainPlan(await planRelease({ root, definitions: [tinyStack()], mode: { kind: 'hash' } }));
    expect(hash.updatesSources).toBe(false);
    expect(hash.bundles).toHaveLength(1);
    expect(hash.bundles[0]?.distFiles).toEqual([]);
    // The release folder's files are still there: only dist/'s are left behind.
    expect(hash.bundles[0]?.files.length).toBeGreaterThan(3);
  });
});
