import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubernetesVersion } from '../../../constructs/kubernetes-version.ts';
import type { ClusterStackIdentity } from '../../../constructs/names.ts';
import { readRecord, VersionRecords } from '../../../lib/release/version-record.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const id = (provider: string, stack: string, kubernetes: string): ClusterStackIdentity => ({ provider, stack, kubernetes: KubernetesVersion.parse(kubernetes) });

describe('VersionRecords', () => {
  const temp = mkdtempSync(join(tmpdir(), 'version-records-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('reads what readRecord reads: a committed record, a minor without one, a stack without a version-record folder', () => {
    const records = new VersionRecords(ROOT);
    for (const bundle of [id('docker', 'scs', '1.33.0'), id('docker', 'scs', '1.20.0'), id('docker', 'nosuchstack', '1.33.0')]) {
      expect(records.get(bundle)).toEqual(readRecord(ROOT, bundle));
    }
    expect(records.get(id('docker', 'scs', '1.33.0'))?.versions.clusterStack.toString()).toMatch(/^v\d+$/);
    expect(records.get(id('docker', 'scs', '1.20.0'))).toBeUndefined();
  });

  it('reads each record once: a record written after it was asked for is not seen, nor one in a folder made since', () => {
    const root = join(temp, 'once');
    cpSync(join(ROOT, 'stacks', 'docker', 'scs', 'version-record'), join(root, 'stacks', 'docker', 'scs', 'version-record'), { recursive: true });
    const records = new VersionRecords(root);
    const record = records.get(id('docker', 'scs', '1.33.0'));
    expect(record).toBeDefined();
    writeFileSync(join(root, 'stacks', 'docker', 'scs', 'version-record', '1-33.json'), 'not json');
    expect(records.get(id('docker', 'scs', '1.33.0'))).toBe(record);
    expect(records.get(id('hetzner', 'scs', '1.33.0'))).toBeUndefined();
    cpSync(join(ROOT, 'stacks', 'hetzner', 'scs', 'version-record'), join(root, 'stacks', 'hetzner', 'scs', 'version-record'), { recursive: true });
    expect(records.get(id('hetzner', 'scs', '1.34.0'))).toBeUndefined();
    // A new reader sees both, and the broken record as broken, naming it.
    const fresh = new VersionRecords(root);
    expect(fresh.get(id('hetzner', 'scs', '1.34.0'))).toEqual(readRecord(ROOT, id('hetzner', 'scs', '1.34.0')));
    expect(() => fresh.get(id('docker', 'scs', '1.33.0'))).toThrow(/stacks\/docker\/scs\/version-record\/1-33\.json/);
  });

  it('finds a record below a root given with a trailing slash or as a relative path', () => {
    const root = join(temp, 'spelled');
    mkdirSync(join(root, 'stacks', 'docker', 'scs'), { recursive: true });
    cpSync(join(ROOT, 'stacks', 'docker', 'scs', 'version-record'), join(root, 'stacks', 'docker', 'scs', 'version-record'), { recursive: true });
    const expected = readRecord(ROOT, id('docker', 'scs', '1.32.0'));
    expect(expected).toBeDefined();
    expect(new VersionRecords(`${root}/`).get(id('docker', 'scs', '1.32.0'))).toEqual(expected);
    const relativeRoot = relative(process.cwd(), root);
    expect(relativeRoot.startsWith('/')).toBe(false);
    expect(new VersionRecords(relativeRoot).get(id('docker', 'scs', '1.32.0'))).toEqual(expected);
  });
});
