import { describe, expect, it } from 'vitest';
import { CopyOnWriteDocument } from '../../constructs/copy-on-write-document.ts';
import { resolvePointer } from '../../constructs/json-pointer.ts';

const source = () => ({ spec: { template: { spec: { files: [{ path: '/a' }], users: [] as unknown[] } }, other: { deep: { x: 1 } } } });
type Source = ReturnType<typeof source>;

describe('CopyOnWriteDocument', () => {
  it('never writes to the document it starts from, and copies only the containers on the path', () => {
    const original = source();
    const before = structuredClone(original);
    const doc = new CopyOnWriteDocument(original);
    const files = doc.writable(['spec', 'template', 'spec', 'files']);
    expect(files.found).toBe(true);
    (files as { value: unknown[] }).value.push({ path: '/b' });
    expect(original).toEqual(before);
    const root = doc.root as Source;
    expect(root.spec.template.spec.files).toEqual([{ path: '/a' }, { path: '/b' }]);
    // What no write reached is shared, not copied.
    expect(root.spec.other).toBe(original.spec.other);
    expect(root.spec.template.spec.users).toBe(original.spec.template.spec.users);
    expect(root.spec.template.spec.files[0]).toBe(original.spec.template.spec.files[0]);
  });

  it('copies a container once: later writes go to the same copy', () => {
    const doc = new CopyOnWriteDocument(source());
    const first = doc.writable(['spec', 'other']);
    const second = doc.writable(['spec', 'other']);
    expect(first.found && second.found && first.value === second.value).toBe(true);
  });

  it('forks: each side sees its own writes only', () => {
    const base = new CopyOnWriteDocument(source());
    (base.writable(['spec', 'other']) as { value: Record<string, unknown> }).value['base'] = true;
    const fork = base.fork();
    (fork.writable(['spec', 'other', 'deep']) as { value: Record<string, unknown> }).value['x'] = 2;
    (base.writable(['spec', 'other']) as { value: Record<string, unknown> }).value['later'] = true;
    expect((base.root as Source).spec.other).toEqual({ deep: { x: 1 }, base: true, later: true });
    expect((fork.root as Source).spec.other).toEqual({ deep: { x: 2 }, base: true });
  });

  it('names the first segment that does not exist, as resolvePointer does', () => {
    const doc = new CopyOnWriteDocument(source());
    for (const path of [['spec', 'missing', 'x'], ['spec', 'template', 'spec', 'files', '1'], ['spec', 'template', 'spec', 'files', '01'], ['spec', 'other', 'deep', 'x', 'y']]) {
      const lookup = doc.writable(path);
      expect(lookup).toEqual(resolvePointer(source(), `/${path.join('/')}`));
      expect(lookup.found).toBe(false);
    }
  });
});
