import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compare, snapshot } from '../../bench/tree-change.ts';

describe('bench: bundle folders a run rewrote or changed', () => {
  const out = mkdtempSync(join(tmpdir(), 'tree-change-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const write = (bundle: string, file: string, content: string): void => {
    mkdirSync(join(out, bundle), { recursive: true });
    // A new file renamed into place, as the tool writes: a new inode.
    writeFileSync(join(out, bundle, `${file}.new`), content);
    renameSync(join(out, bundle, `${file}.new`), join(out, bundle, file));
  };
  for (const b of ['a/s0/1-33', 'a/s0/1-34', 'b/s1/1-34']) write(b, 'metadata.yaml', b);

  it('sees nothing when nothing was written', () => {
    const before = snapshot(out);
    expect(compare(before, snapshot(out))).toEqual({ bundles: 3, rewritten: 0, changed: 0 });
  });

  it('counts a bundle rewritten with the same bytes as rewritten, not changed', () => {
    const before = snapshot(out);
    write('b/s1/1-34', 'metadata.yaml', 'b/s1/1-34');
    expect(compare(before, snapshot(out))).toEqual({ bundles: 3, rewritten: 1, changed: 0 });
  });

  it('counts new bytes, an added file, and a removed bundle', () => {
    const before = snapshot(out);
    write('a/s0/1-33', 'metadata.yaml', 'edited');
    write('a/s0/1-34', 'extra.yaml', 'x');
    rmSync(join(out, 'b'), { recursive: true });
    expect(compare(before, snapshot(out))).toEqual({ bundles: 2, rewritten: 3, changed: 3 });
  });
});
