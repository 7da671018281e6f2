import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, run } from '../../cli/main.ts';
import { snapshot, snapshotDiff, stagingLeftovers, tempRoots } from './harness.ts';

const { fresh } = tempRoots();

/**
 * Runs the CLI against the real project (its root is fixed) with `argv`, a
 * --dry-run and --output-dir pointing at a temp root's dist/, which already
 * holds a tree; checks that the temp root is untouched afterwards.
 */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const root = fresh();
  const before = snapshot(root);
  let out = '';
  let err = '';
  const code = await run([...argv, '--dry-run', '--output-dir', join(root, 'dist')], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  expect(snapshotDiff(before, snapshot(root)), 'a failed command writes nothing').toEqual([]);
  expect(stagingLeftovers(root)).toEqual([]);
  return { code, out, err };
}

describe('cluster-stacks synth with bad arguments', () => {
  it('fails when --stack matches no stack of --provider, listing the shipped stacks', async () => {
    const r = await cli('synth', '--provider', 'docker', '--stack', 'nope');
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: no stack matches --provider docker --stack nope; shipped stacks: .*docker\/scs \(1\.32, 1\.33, 1\.34\)/);
    expect(r.err).toContain("\nhint: see 'cluster-stacks synth --help'\n");
  });

  it('fails when --provider differs only in case from a shipped provider', async () => {
    const r = await cli('synth', '--provider', 'Docker');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^error: no stack matches --provider Docker; shipped stacks: /);
  });

  it('fails when --kubernetes names a minor outside the matrix', async () => {
    const r = await cli('synth', '--kubernetes', '1.31');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^error: no stack matches --kubernetes 1\.31; shipped stacks: /);
  });

  it("fails when --kubernetes is 'v1.34', naming the flag and the value", async () => {
    const r = await cli('synth', '--kubernetes', 'v1.34');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("error: --kubernetes 'v1.34' is not a Kubernetes minor; expected <major>.<minor>, e.g. 1.34\nhint: see 'cluster-stacks synth --help'\n");
  });

  it('fails when an option is unknown', async () => {
    const r = await cli('synth', '--bogus');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("error: unknown option '--bogus'\n");
  });

  it('fails when -o is not one of the formats', async () => {
    const r = await cli('synth', '-o', 'yaml');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are table, json.\n");
  });

  it('fails when synth is given an argument', async () => {
    const r = await cli('synth', 'docker/scs');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe("error: too many arguments for 'synth'. Expected 0 arguments but got 1.\n");
  });
});

describe('cluster-stacks validate with bad arguments', () => {
  it('fails when --stack matches no stack', async () => {
    let err = '';
    const code = await run(['validate', '--stack', 'nope'], { out: () => undefined, err: (s) => { err += s; } });
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/^error: no stack matches --stack nope; shipped stacks: /);
    expect(err).toContain("\nhint: see 'cluster-stacks validate --help'\n");
  });
});
