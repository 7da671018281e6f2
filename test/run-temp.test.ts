import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_TEMP_PREFIX } from './run-temp.ts';

describe('test runs keep their scratch folders in one temp folder of the run', () => {
  it('points os.tmpdir() at the run temp folder the global setup made', () => {
    expect(basename(tmpdir())).toMatch(new RegExp(`^${RUN_TEMP_PREFIX}`));
    expect(basename(dirname(tmpdir()))).not.toMatch(new RegExp(`^${RUN_TEMP_PREFIX}`));
  });
});
