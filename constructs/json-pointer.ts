/** Builds an RFC 6901 JSON pointer from path segments, escaping `~` and `/`. */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Splits a JSON pointer into its unescaped segments. */
export function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer '${path}' must start with '/'`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export type PointerLookup = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly missing: string };

/** Resolves a pointer in a JSON document; `missing` names the first segment path that does not exist. */
export function resolvePointer(document: unknown, path: string): PointerLookup {
  return walkPointer(document, parsePointer(path));
}

/** An array index as a pointer segment spells it: no sign, no leading zero. */
export const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Walks `segments` from `root` as resolvePointer does; `step` sees each
 * child on the way with its container and key, and gives what to walk on
 * (a copy it put in the child's place, say).
 */
export function walkPointer(root: unknown, segments: readonly string[], step: (child: unknown, container: object, key: string | number) => unknown = (child) => child): PointerLookup {
  let current: unknown = root;
  for (const [i, segment] of segments.entries()) {
    if (Array.isArray(current)) {
      const index = ARRAY_INDEX.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= current.length) return { found: false, missing: pointer(...segments.slice(0, i + 1)) };
      current = step(current[index], current, index);
    } else if (current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = step((current as Record<string, unknown>)[segment], current, segment);
    } else {
      return { found: false, missing: pointer(...segments.slice(0, i + 1)) };
    }
  }
  return { found: true, value: current };
}
