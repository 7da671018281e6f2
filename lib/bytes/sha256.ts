import { createHash } from 'node:crypto';

/** sha256 of bytes or UTF-8 text, as lower-case hex: the content hashes and cache keys of the project. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
