import { walkPointer, type PointerLookup } from './json-pointer.ts';

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
    this.current = this.own(this.current);
    return walkPointer(this.current, segments, (child, container, key) => ((container as Record<string | number, unknown>)[key] = this.own(child)));
  }

  private own(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || this.owned.has(value)) return value;
    const copy: object = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    this.owned.add(copy);
    return copy;
  }
}
