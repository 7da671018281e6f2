import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthCommand } from '../../cli/commands/synth.ts';
import { STACKS } from '../../stacks/index.ts';
import { e2eEnabled } from './support/context.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The path e2e-tools.sh prints for a tool (`name=/path`), building it if needed. */
function toolPath(name: string): string {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'e2e-tools.sh'), name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/e2e-tools.sh ${name} failed:\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`scripts/e2e-tools.sh printed no ${name}=… line:\n${r.stdout}`);
  return line.slice(name.length + 1);
}

describe.runIf(e2eEnabled)('Cluster API v1beta2 output, checked with Cluster API v1.13.5\'s own code', () => {
  const out = mkdtempSync(join(tmpdir(), 'cs-v1beta2-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('every bundle: the webhook accepts the v1beta2 class, CAPI converts the v1beta1 class to ours, and both patch to the same templates', () => {
    const { bundles } = synthCommand({ root: ROOT, definitions: STACKS, outDir: out, clusterApi: 'v1beta2' });
    expect(bundles.length).toBeGreaterThanOrEqual(6);
    const pairs = bundles.flatMap((b) => [join(ROOT, 'dist', b.path, 'cluster-class.yaml'), join(out, b.path, 'cluster-class.yaml')]);
    const r = spawnSync(toolPath('v1beta2-convert'), pairs, { encoding: 'utf8' });
    expect(r.status, `v1beta2-convert:\n${r.stdout}\n${r.stderr}`).toBe(0);
  });
});
