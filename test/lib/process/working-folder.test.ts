import { lstatSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inWorkingFolder } from '../../../lib/process/working-folder.ts';

const folder = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'working-folder-'));
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(join(dir, 'a', 'b', 'f'), 'x');
  return dir;
};

describe('inWorkingFolder', () => {
  it('runs the body from the folder, where a path below it is the same file, and goes back after', () => {
    const dir = folder();
    const before = process.cwd();
    const seen = inWorkingFolder(dir, (below) => ({ below, cwd: process.cwd(), ino: lstatSync(`${below}a/b/f`).ino }));
    expect(seen).toEqual({ below: '', cwd: realpathSync(dir), ino: lstatSync(join(dir, 'a', 'b', 'f')).ino });
    expect(process.cwd()).toBe(before);
  });

  it('goes back when the body throws, and the error is the body\'s', () => {
    const dir = folder();
    const before = process.cwd();
    expect(() => inWorkingFolder(dir, () => {
      throw new Error('from the body');
    })).toThrow('from the body');
    expect(process.cwd()).toBe(before);
  });

  it('hands the folder itself as the prefix where it cannot be entered, and moves nothing', () => {
    const dir = folder();
    const file = join(dir, 'a', 'b', 'f');
    const before = process.cwd();
    expect(inWorkingFolder(file, (below) => ({ below, cwd: process.cwd() }))).toEqual({ below: `${file}${sep}`, cwd: before });
  });
});
