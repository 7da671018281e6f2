import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterStackDefinition, StackVersionsRow } from '../../../constructs/stack-definition.ts';
import { StackVersion } from '../../../constructs/stack-version.ts';
import { bundleKeys } from '../../../lib/pipeline/synth-cache.ts';
import { tempRoot } from '../release/test-stack.ts';

const definition = (provider: string, stack: string, rows: readonly StackVersionsRow[] = [{ kubernetes: '1.34.7' }], build = () => undefined): ClusterStackDefinition<StackVersionsRow> =>
  ({ provider, stack, description: 'test', versions: rows, build }) as unknown as ClusterStackDefinition<StackVersionsRow>;
const V1 = { clusterStack: StackVersion.stable(1), clusterAddon: StackVersion.stable(1), nodeImage: StackVersion.stable(1) };

describe('bundle input keys', () => {
  const root = tempRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('stacks/docker/a/stack.ts', "export const a = 1;\n");
  write('stacks/docker/b/stack.ts', "import { a } from '../a/stack.ts';\nexport const b = a;\n");
  write('stacks/docker/c/stack.ts', "export const c = 1;\n");
  write('stacks/docker/a/version-record/1-34.json', '{}');
  write('stacks/shared.ts', 'export const s = 1;\n');
  const defs = [definition('docker', 'a'), definition('docker', 'b'), definition('docker', 'c')];
  const keys = (d = defs, versions = V1) => Object.fromEntries(bundleKeys(root, d, () => versions, 'cluster-api=v1beta1').map((k) => [k.path.split('/')[1], k.key]));

  it('change with the stack folder, and with the stack folders it imports', () => {
    const before = keys();
    write('stacks/docker/a/stack.ts', "export const a = 2;\n");
    const after = keys();
    expect(after.a).not.toBe(before.a);
    expect(after.b).not.toBe(before.b);
    expect(after.c).toBe(before.c);
  });

  it('ignore the version records (the versions are a part of the key themselves)', () => {
    const before = keys();
    write('stacks/docker/a/version-record/1-34.json', '{"x":1}');
    expect(keys()).toEqual(before);
    expect(keys(defs, { ...V1, clusterAddon: StackVersion.stable(2) }).a).not.toBe(before.a);
  });

  it('change for every stack with a shared file', () => {
    const before = keys();
    write('stacks/shared.ts', 'export const s = 2;\n');
    const after = keys();
    for (const s of ['a', 'b', 'c']) expect(after[s]).not.toBe(before[s]);
  });

  it('change with the versions row and the build code of the definition', () => {
    const before = keys();
    expect(keys([definition('docker', 'a', [{ kubernetes: '1.34.7', x: 1 } as StackVersionsRow]), ...defs.slice(1)]).a).not.toBe(before.a);
    expect(keys([definition('docker', 'a', undefined, () => 1 as unknown as undefined), ...defs.slice(1)]).a).not.toBe(before.a);
    expect(keys([definition('docker', 'a'), ...defs.slice(1)]).a).toBe(before.a);
  });

  it('give a stack without a folder of its name every stack folder', () => {
    const before = keys([definition('docker', 'clone')]);
    write('stacks/docker/c/stack.ts', "export const c = 3;\n");
    expect(keys([definition('docker', 'clone')]).clone).not.toBe(before.clone);
  });
});
