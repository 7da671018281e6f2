import { ApiObject, App, Chart, Lazy } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { manifestOf, withManifestSnapshot } from '../../constructs/manifest-snapshot.ts';

describe('manifestOf', () => {
  const object = () => {
    let value = 'first';
    const chart = new Chart(new App(), 'c');
    const o = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { v: Lazy.any({ produce: () => value }) } });
    return { o, set: (v: string) => (value = v) };
  };

  it('resolves an object once inside a snapshot', () => {
    const { o, set } = object();
    withManifestSnapshot(() => {
      const first = manifestOf(o);
      set('second');
      expect(manifestOf(o)).toBe(first);
      expect(first.data).toEqual({ v: 'first' });
    });
  });

  it('resolves afresh outside a snapshot, where the tree may still change', () => {
    const { o, set } = object();
    expect(manifestOf(o).data).toEqual({ v: 'first' });
    set('second');
    expect(manifestOf(o).data).toEqual({ v: 'second' });
    // A finished snapshot leaves nothing behind.
    withManifestSnapshot(() => manifestOf(o));
    set('third');
    expect(manifestOf(o).data).toEqual({ v: 'third' });
  });
});
