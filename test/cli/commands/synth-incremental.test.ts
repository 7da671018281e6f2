import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { synthCommand } from '../../../cli/commands/synth.ts';
import { readTree, tempRoot, tinyStack, type TinyRow } from '../../lib/release/test-stack.ts';

/** Two stacks of one bundle each: `tiny` (the one edited) and `other`. */
const stacks = (change: Partial<TinyRow> = {}): ClusterStackDefinition<StackVersionsRow>[] => [tinyStack(change), { ...tinyStack(), stack: 'other' }];
const TINY = 'docker/tiny/1-34';
const OTHER = 'docker/other/1-34';
const inode = (p: string) => statSync(p).ino;

describe('synth is incremental', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const project = () => {
    const root = tempRoot();
    roots.push(root);
    return { root, dist: join(root, 'dist') };
  };
  /** What a first, full run into an empty folder writes. */
  const fresh = (definitions: ClusterStackDefinition<StackVersionsRow>[]) => {
    const { root, dist } = project();
    synthCommand({ root, definitions, outDir: dist });
    return readTree(dist);
  };
  const written = (r: ReturnType<typeof synthCommand>) => r.bundles.filter((b) => b.written).map((b) => b.path);

  it('a second run with nothing changed synthesizes and writes nothing', () => {
    const { root, dist } = project();
    expect(written(synthCommand({ root, definitions: stacks(), outDir: dist }))).toEqual([TINY, OTHER]);
    const before = inode(join(dist, OTHER, 'cluster-class.yaml'));
    const again = synthCommand({ root, definitions: stacks(), outDir: dist });
    expect(again.bundles.map((b) => b.path)).toEqual([TINY, OTHER]);
    expect(written(again)).toEqual([]);
    expect(inode(join(dist, OTHER, 'cluster-class.yaml'))).toBe(before);
    expect(readTree(dist)).toEqual(fresh(stacks()));
  });

  it('an edit to one stack rewrites only its bundle, with the bytes a full run writes', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    const other = inode(join(dist, OTHER, 'cluster-class.yaml'));
    const tiny = inode(join(dist, TINY, 'cluster-addon/metrics-server/values.yaml'));
    expect(written(synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist }))).toEqual([TINY]);
    expect(inode(join(dist, OTHER, 'cluster-class.yaml'))).toBe(other);
    expect(inode(join(dist, TINY, 'cluster-addon/metrics-server/values.yaml'))).not.toBe(tiny);
    expect(readTree(dist)).toEqual(fresh(stacks({ metricsServerReplicas: 2 })));
  });

  it('an edit rewrites only the files whose bytes change; the rest of the bundle keeps its inodes and mtimes', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    const files = [...readTree(join(dist, TINY)).keys()];
    const stamps = () => new Map(files.map((f) => [f, `${statSync(join(dist, TINY, f)).ino}:${statSync(join(dist, TINY, f)).mtimeMs}`]));
    const before = stamps();
    const contents = readTree(join(dist, TINY));
    synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist });
    const after = stamps();
    const edited = readTree(join(dist, TINY));
    const changed = files.filter((f) => !edited.get(f)?.equals(contents.get(f) as Buffer));
    // The values, and the HelmChartProxy that carries them.
    expect(changed).toEqual(['cluster-addon/metrics-server/values.yaml', 'helm-chart-proxies.yaml']);
    expect(files.length).toBeGreaterThan(changed.length);
    expect(files.filter((f) => after.get(f) !== before.get(f))).toEqual(changed);
    expect(readTree(dist)).toEqual(fresh(stacks({ metricsServerReplicas: 2 })));
  });

  it('a bundle file replaced by a symbolic link makes it replace the bundle folder, never writing through the link', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    const mine = join(root, 'mine.yaml');
    writeFileSync(mine, 'mine\n');
    const values = join(dist, TINY, 'cluster-addon/metrics-server/values.yaml');
    rmSync(values);
    symlinkSync(mine, values);
    expect(written(synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist }))).toEqual([TINY]);
    expect(lstatSync(values).isFile()).toBe(true);
    expect(readFileSync(mine, 'utf8')).toBe('mine\n');
    expect(readTree(dist)).toEqual(fresh(stacks({ metricsServerReplicas: 2 })));
  });

  it('a bundle file changed by hand is synthesized again and restored', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    appendFileSync(join(dist, OTHER, 'metadata.yaml'), '# edited\n');
    writeFileSync(join(dist, TINY, 'extra.yaml'), 'x: 1\n');
    expect(written(synthCommand({ root, definitions: stacks(), outDir: dist }))).toEqual([TINY, OTHER]);
    expect(readTree(dist)).toEqual(fresh(stacks()));
  });

  it('a folder of a stack that is gone, or a stray file, makes it replace the whole folder', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    mkdirSync(join(dist, 'docker/gone/1-34'), { recursive: true });
    writeFileSync(join(dist, 'docker/gone/1-34/metadata.yaml'), 'x: 1\n');
    synthCommand({ root, definitions: stacks(), outDir: dist });
    expect(readTree(dist)).toEqual(fresh(stacks()));
    // A stack removed from the definitions goes from the folder too.
    synthCommand({ root, definitions: [tinyStack()], outDir: dist });
    expect(readTree(dist)).toEqual(fresh([tinyStack()]));
  });

  it('anything added beside the bundles, at any level, makes it replace the whole folder', () => {
    // The stamps of the output, provider and stack folders the last run recorded no longer hold.
    for (const stray of ['stray.txt', 'docker/stray.txt', 'docker/tiny/stray.txt']) {
      const { root, dist } = project();
      synthCommand({ root, definitions: stacks(), outDir: dist });
      writeFileSync(join(dist, stray), 'x: 1\n');
      synthCommand({ root, definitions: stacks(), outDir: dist });
      expect(readTree(dist), stray).toEqual(fresh(stacks()));
    }
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    mkdirSync(join(dist, 'docker/tiny/1-33'));
    synthCommand({ root, definitions: stacks(), outDir: dist });
    expect(readTree(dist)).toEqual(fresh(stacks()));
  });

  it('a minor dropped from a stack goes from the folder, though no folder above it changed', () => {
    const { root, dist } = project();
    const twoMinors = { ...tinyStack(), versions: [...tinyStack().versions, { ...tinyStack().versions[0], kubernetes: '1.33.10' }] };
    synthCommand({ root, definitions: [twoMinors], outDir: dist });
    expect(existsSync(join(dist, 'docker/tiny/1-33'))).toBe(true);
    synthCommand({ root, definitions: [tinyStack()], outDir: dist });
    expect(readTree(dist)).toEqual(fresh([tinyStack()]));
  });

  it('a damaged cache is ignored: a full run', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    for (const f of Object.keys(Object.fromEntries(readTree(join(root, '.cache/synth'))))) writeFileSync(join(root, '.cache/synth', f), '{"format":1,');
    expect(written(synthCommand({ root, definitions: stacks({ metricsServerReplicas: 3 }), outDir: dist }))).toEqual([TINY]);
    expect(readTree(dist)).toEqual(fresh(stacks({ metricsServerReplicas: 3 })));
  });

  it('a filtered run writes only the selected bundles and keeps what it knows about the others', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    const r = synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist, filter: (id) => id.stack === 'other' });
    expect(r.bundles.map((b) => b.path)).toEqual([OTHER]);
    expect(written(r)).toEqual([]);
    expect(written(synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist }))).toEqual([TINY]);
  });

  it('a filtered run vouches for no folder it left alone: a stray folder goes with the next full run', () => {
    const { root, dist } = project();
    synthCommand({ root, definitions: stacks(), outDir: dist });
    mkdirSync(join(dist, 'docker/gone/1-34'), { recursive: true });
    synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist, filter: (id) => id.stack === 'tiny' });
    expect(existsSync(join(dist, 'docker/gone'))).toBe(true);
    synthCommand({ root, definitions: stacks({ metricsServerReplicas: 2 }), outDir: dist });
    expect(readTree(dist)).toEqual(fresh(stacks({ metricsServerReplicas: 2 })));
    expect(existsSync(join(dist, 'docker/gone'))).toBe(false);
  });
});

describe('synth with a project folder that cannot take the cache', () => {
  it('writes the output all the same; the next run synthesizes everything again and rewrites nothing', () => {
    const root = tempRoot();
    try {
      // A file where the cache folder would be: the cache cannot be written.
      writeFileSync(join(root, '.cache'), 'not a folder\n');
      const dist = join(root, 'dist');
      expect(synthCommand({ root, definitions: stacks(), outDir: dist }).bundles.filter((b) => b.written).length).toBe(2);
      expect(synthCommand({ root, definitions: stacks(), outDir: dist }).bundles.filter((b) => b.written).length).toBe(0);
      expect(readTree(dist).size).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
