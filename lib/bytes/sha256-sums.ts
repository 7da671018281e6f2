import { sha256Hex } from './sha256.ts';

/**
 * SHA256SUMS, in `sha256sum`'s format: what a release folder lists its
 * files in, and what `sha256sum -c` checks.
 */

/** `<64 hex>  <name>` per file, in the order given. */
export function renderSha256Sums(files: readonly { readonly path: string; readonly content: string | Uint8Array }[]): string {
  return files.map((f) => `${sha256Hex(f.content)}  ${f.path}\n`).join('');
}

/** `sha256sum` output: `<64 hex>  <name>` (or `<hex> *<name>`) per line. */
export function parseSha256Sums(text: string, where: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${where}:${i + 1}: not a '<sha256>  <file>' line`);
    out.set(m[2] as string, m[1] as string);
  }
  return out;
}
