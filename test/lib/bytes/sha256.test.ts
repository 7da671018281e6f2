import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/bytes/sha256.ts';

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 digests for text and for bytes', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256Hex('abc'));
  });

  it('hashes text as UTF-8', () => {
    expect(sha256Hex('é')).toBe(sha256Hex(new Uint8Array([0xc3, 0xa9])));
    expect(sha256Hex('é')).not.toBe(sha256Hex(new Uint8Array([0xe9])));
  });
});
