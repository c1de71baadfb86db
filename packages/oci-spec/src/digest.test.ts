import { describe, expect, it } from 'vitest';
import { digestOf, isValidDigest, parseDigest, verifyDigest } from './digest.js';

const HELLO = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('digests', () => {
  it('parses sha256 and sha512 digests', () => {
    expect(parseDigest(HELLO)).toEqual({ algorithm: 'sha256', encoded: HELLO.slice(7) });
    expect(isValidDigest(`sha512:${'a'.repeat(128)}`)).toBe(true);
  });

  it('rejects what the schema lets through', () => {
    expect(() => parseDigest('sha256:xyz')).toThrow(/sha256 must be 64 lowercase hex/);
    expect(() => parseDigest(HELLO.toUpperCase().replace('SHA256', 'sha256'))).toThrow(/lowercase/);
    expect(() => parseDigest('md5:abc')).toThrow(/unsupported algorithm "md5"/);
    expect(() => parseDigest('nocolon')).toThrow(/unsupported algorithm/);
    expect(isValidDigest(`sha512:${'a'.repeat(64)}`)).toBe(false);
  });

  it('hashes and verifies content', () => {
    expect(digestOf('hello')).toBe(HELLO);
    expect(() => verifyDigest('hello', HELLO)).not.toThrow();
    expect(() => verifyDigest('hellO', HELLO)).toThrow(`${HELLO}: digest mismatch (got sha256:`);
    try {
      verifyDigest('x', HELLO);
    } catch (e) {
      expect((e as { code: string }).code).toBe('failed_precondition');
    }
  });
});
