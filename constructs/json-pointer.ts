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
  let current: unknown = document;
  const walked: string[] = [];
  for (const segment of parsePointer(path)) {
    walked.push(segment);
    if (Array.isArray(current)) {
      const index = /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= current.length) return { found: false, missing: pointer(...walked) };
      current = current[index];
    } else if (current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false, missing: pointer(...walked) };
    }
  }
  return { found: true, value: current };
}
