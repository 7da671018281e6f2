import { pointer, type PointerLookup } from './json-pointer.ts';

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * A JSON document that patches copy only what they change: a write copies
 * the containers on its path that this document does not own yet, so
 * documents share every part no patch touched. The ClusterClass's patch
 * validation applies each conditional patch to its own view of every
 * template it selects; copying whole templates for each was most of that
 * validation's time. The document it starts from (a manifest snapshot) is
 * never written to.
 */
export class CopyOnWriteDocument {
  private current: unknown;
  /** Containers this document made and may write to. */
  private readonly owned = new WeakSet<object>();

  public constructor(root: unknown) {
    this.current = root;
  }

  /** The document as patched so far. */
  public get root(): unknown {
    return this.current;
  }

  /** A document that starts as this one is now and copies on its own writes, leaving this one as it is. */
  public fork(): CopyOnWriteDocument {
    return new CopyOnWriteDocument(this.current);
  }

  /**
   * The container at `segments` (as resolvePointer finds it) ready to be
   * written to, or the pointer of the first segment that does not exist.
   */
  public writable(segments: readonly string[]): PointerLookup {
    let container = this.own(this.current);
    this.current = container;
    for (const [i, segment] of segments.entries()) {
      if (Array.isArray(container)) {
        const index = ARRAY_INDEX.test(segment) ? Number(segment) : -1;
        if (index < 0 || index >= container.length) return { found: false, missing: pointer(...segments.slice(0, i + 1)) };
        container = container[index] = this.own(container[index]);
      } else if (container !== null && typeof container === 'object' && Object.prototype.hasOwnProperty.call(container, segment)) {
        const record = container as Record<string, unknown>;
        container = record[segment] = this.own(record[segment]);
      } else {
        return { found: false, missing: pointer(...segments.slice(0, i + 1)) };
      }
    }
    return { found: true, value: container };
  }

  private own(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || this.owned.has(value)) return value;
    const copy: object = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    this.owned.add(copy);
    return copy;
  }
}
