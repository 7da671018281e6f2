/**
 * The release folders against the Cluster Stack Operator's release-loading
 * rules (test/e2e/cso-check, which re-implements them for operator
 * v0.2.0-alpha.1 because the operator's own module cannot be fetched here)
 * plus, with -helm, the operator's exact `helm template` of the cluster-class
 * chart. Releases in stable mode (dependencies not vendored, and vendored),
 * and a development build in hash mode, must all load.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2e, e2eEnabled, helmEnv, type E2eContext, type ReleaseSet } from './support/context.ts';
import { assertSuccess, describeRun, run } from './support/run.ts';

const ctx: E2eContext | undefined = e2eEnabled ? e2e() : undefined;

const sets: readonly [string, (c: E2eContext) => ReleaseSet][] = [
  ['stable mode', (c) => c.stable],
  ['stable mode, dependencies vendored', (c) => c.vendored],
  ['hash mode (development build)', (c) => c.hash],
];

describe.skipIf(!ctx)('cso-check: the operator loads every release', () => {
  it.each(sets)('%s', async (_label, pick) => {
    const c = ctx as E2eContext;
    const set = pick(c);
    expect(set.releases.length).toBeGreaterThan(0);
    const r = assertSuccess(
      await run(c.tools.csoCheck, ['-helm', c.tools.helm, '-namespace', 'e2e-stacks', ...set.releases.map((rel) => rel.dir)], { env: helmEnv(join(c.work, 'helm-cso')) }),
      'cso-check',
    );
    expect(r.stdout.trim().split('\n').sort(), describeRun(r)).toEqual(set.releases.map((rel) => `ok ${rel.tag}`).sort());
  });

  it('hash mode tags are development versions the operator accepts (v0-sha-<hash>)', () => {
    const c = ctx as E2eContext;
    for (const rel of c.hash.releases) expect(rel.tag).toMatch(/^[a-z0-9]+-[a-z0-9]+-\d+-\d+-v0-sha-[0-9a-z]+$/);
  });
});
