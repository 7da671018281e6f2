import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * bin/cluster-stacks.cjs in a project of its own whose compiled CLI and
 * sources each only say which one ran: the launcher must never run a
 * compiled CLI older than any source file.
 */
describe('bin/cluster-stacks.cjs chooses between .build/ and the sources', () => {
  const temp = mkdtempSync(join(tmpdir(), 'launcher-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  const project = (name: string): { root: string; touch: (path: string, at: number) => void; run: () => string } => {
    const root = join(temp, name);
    mkdirSync(join(root, 'bin'), { recursive: true });
    for (const f of ['cluster-stacks.cjs', 'compiled.cjs']) copyFileSync(join(ROOT, 'bin', f), join(root, 'bin', f));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(root, '.build'));
    writeFileSync(join(root, '.build', 'cli.cjs'), "module.exports = { run: async () => { process.stdout.write('compiled\\n'); return 0; } };\n");
    const sources = ['main.ts', 'cli/main.ts', 'constructs/a.ts', 'stacks/docker/scs/index.ts', 'lib/pipeline/deep/b.ts', 'imports/k8s.ts'];
    for (const f of sources) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), f === 'cli/main.ts' ? "export async function run(): Promise<number> { process.stdout.write('sources\\n'); return 0; }\n" : 'export {};\n');
    }
    writeFileSync(join(root, '.build', '.stamp'), 'built\n');
    const touch = (path: string, at: number): void => utimesSync(join(root, path), at, at);
    // Every source and folder a minute before the build.
    const before = Date.now() / 1000 - 60;
    for (const f of [...sources, 'cli', 'constructs', 'stacks', 'stacks/docker', 'stacks/docker/scs', 'lib', 'lib/pipeline', 'lib/pipeline/deep', 'imports']) touch(f, before);
    touch('.build/.stamp', before + 30);
    const run = (): string => {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'cluster-stacks.cjs'), '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', CLUSTER_STACKS_FROM_SOURCE: '' } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    return { root, touch, run };
  };

  it('runs .build/ when its stamp is at least as new as every source file and folder', () => {
    expect(project('fresh').run()).toBe('compiled');
  });

  it.each([
    ['main.ts'],
    ['lib/pipeline/deep/b.ts'],
    ['stacks/docker/scs/index.ts'],
    ['imports'],
  ])('runs the sources once %s is newer than the build', (path) => {
    const p = project(`stale-${path.replace(/\W/g, '-')}`);
    p.touch(path, Date.now() / 1000);
    expect(p.run()).toBe('sources');
  });

  it('runs the sources when the build has no stamp', () => {
    const p = project('unstamped');
    rmSync(join(p.root, '.build', '.stamp'));
    expect(p.run()).toBe('sources');
  });
});
