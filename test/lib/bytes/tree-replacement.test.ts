import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beginTreeReplacement, OUTPUT_MARKER, outputMarker, replaceTree, writeStagedFiles } from '../../../lib/bytes/atomic-write.ts';
import { readTree } from '../release/test-stack.ts';

const temp = mkdtempSync(join(tmpdir(), 'tree-replacement-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(temp, `t${n++}`);

describe('a whole output folder replaced by several writers (beginTreeReplacement)', () => {
  it('shows nothing of the new content before commit, exactly the staged files and the marker after', () => {
    const target = fresh();
    const replacement = beginTreeReplacement(target, 'synth');
    writeStagedFiles(replacement.staging, [{ path: 'docker/scs/1-34/metadata.yaml', content: 'a: 1\n' }], target);
    writeStagedFiles(join(replacement.staging, 'openstack/scs/1-34'), [{ path: 'cluster-class.yaml', content: 'b: 2\n' }], join(target, 'openstack/scs/1-34'));
    expect(readdirSync(target)).toEqual([replacement.staging.slice(target.length + 1)]);
    replacement.commit();
    expect([...readTree(target).keys()].sort()).toEqual([OUTPUT_MARKER, 'docker/scs/1-34/metadata.yaml', 'openstack/scs/1-34/cluster-class.yaml']);
    expect(readFileSync(join(target, OUTPUT_MARKER), 'utf8')).toBe(outputMarker('synth'));
  });

  it('replaces what an earlier run wrote, and abort leaves it as it was', () => {
    const target = fresh();
    replaceTree(target, [{ path: 'old/file.yaml', content: 'old\n' }], 'synth');
    const before = readTree(target);
    const aborted = beginTreeReplacement(target, 'synth');
    writeStagedFiles(aborted.staging, [{ path: 'new/file.yaml', content: 'new\n' }], target);
    aborted.abort();
    expect(readTree(target)).toEqual(before);
    const committed = beginTreeReplacement(target, 'synth');
    writeStagedFiles(committed.staging, [{ path: 'new/file.yaml', content: 'new\n' }], target);
    committed.commit();
    expect([...readTree(target).keys()].sort()).toEqual([OUTPUT_MARKER, 'new/file.yaml']);
  });

  it('removes a folder it created when aborted', () => {
    const target = join(fresh(), 'nested');
    const replacement = beginTreeReplacement(target, 'synth');
    writeStagedFiles(replacement.staging, [{ path: 'a.yaml', content: 'a\n' }], target);
    replacement.abort();
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(target, '..'))).toBe(false);
  });

  it("refuses a folder holding the user's files, creating nothing", () => {
    const target = fresh();
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine\n');
    expect(() => beginTreeReplacement(target, 'synth')).toThrow(/refusing to write into .*notes|not empty and was not written by cluster-stacks/);
    expect(readdirSync(target)).toEqual(['notes.txt']);
  });

  it('refuses a file path leaving the folder, and names the folder it stands for', () => {
    const target = fresh();
    const replacement = beginTreeReplacement(target, 'synth');
    expect(() => writeStagedFiles(replacement.staging, [{ path: '../escape.yaml', content: 'x\n' }], target)).toThrow(`refusing to write '../escape.yaml' outside ${target}`);
    replacement.abort();
  });

  it('refuses to write a file twice: each is created new, so two writers of one file clash instead of one overwriting the other', () => {
    const target = fresh();
    const replacement = beginTreeReplacement(target, 'synth');
    writeStagedFiles(replacement.staging, [{ path: 'a/b.yaml', content: 'x\n' }], target);
    expect(() => writeStagedFiles(replacement.staging, [{ path: 'a/b.yaml', content: 'y\n' }], target)).toThrow(/EEXIST/);
    replacement.abort();
  });
});
