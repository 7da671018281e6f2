import * as crypto from 'node:crypto';

// crypto.hash (Node.js 20.12 and later) hashes in one call, without a Hash
// object: about a third of the cost for the short texts most keys are, and
// a release or an incremental synth computes thousands of them.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** sha256 of bytes or UTF-8 text, as lower-case hex: the content hashes and cache keys of the project. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}
