import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterStackName, type ClusterStackIdentity } from '../constructs/names.ts';
import { OUTPUT_MARKER, outputMarker } from '../lib/bytes/atomic-write.ts';
import { currentHashes } from '../lib/release/release.ts';
import { readRecord } from '../lib/release/version-record.ts';
import { bundleTree, synthesize } from '../lib/pipeline/synth.ts';
import { STACKS } from '../stacks/index.ts';
import { shippedBundlePaths } from './shipped.ts';
import { listTree } from './list-tree.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = resolve(ROOT, 'dist');


describe('dist/', () => {
  const recorded = (id: ClusterStackIdentity) => {
    const record = readRecord(ROOT, id);
    if (!record) throw new Error(`${id.provider}/${id.stack} ${id.kubernetes.minorVersion} has no version record`);
    return record.versions;
  };
  const bundles = synthesize(STACKS, { versionsFor: recorded });
  const tree = bundleTree(bundles);

  it('holds every stack × minor bundle the stack definitions declare (9 shipped)', () => {
    const bundles = new Set(tree.map((f) => f.path.split('/').slice(0, 3).join('/')));
    expect([...bundles].sort()).toEqual(shippedBundlePaths());
    expect(shippedBundlePaths()).toEqual(expect.arrayContaining([
      'docker/scs/1-32', 'docker/scs/1-33', 'docker/scs/1-34',
      'hetzner/scs/1-32', 'hetzner/scs/1-33', 'hetzner/scs/1-34',
      'openstack/scs/1-32', 'openstack/scs/1-33', 'openstack/scs/1-34',
    ]));
  });

  it('is fresh: the committed files are exactly what synthesis writes (run `npm run synth` if this fails)', () => {
    expect(listTree(DIST)).toEqual([OUTPUT_MARKER, ...tree.map((f) => f.path)].sort());
    expect(readFileSync(join(DIST, OUTPUT_MARKER), 'utf8'), 'dist/ carries the marker that lets synth replace it').toBe(outputMarker('synth'));
    for (const f of tree) {
      expect(readFileSync(join(DIST, f.path), 'utf8'), `dist/${f.path} is stale`).toBe(f.content);
    }
  });

  it('is deterministic: two syntheses give byte-identical trees', () => {
    const again = bundleTree(synthesize(STACKS, { versionsFor: recorded }));
    expect(again).toEqual(tree);
  });

  it('is versioned: every bundle\'s content is what its version record was released for (run `npm run release` if this fails)', () => {
    const hashes = currentHashes(STACKS);
    for (const b of bundles) {
      const record = readRecord(ROOT, b.identity);
      expect(record?.hashes, `${b.path}: content changed since ${record?.versions.clusterStack.toString()}`).toEqual(hashes.get(clusterStackName(b.identity)));
    }
  });
});
