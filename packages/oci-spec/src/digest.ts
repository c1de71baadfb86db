/**
 * OCI content digests. The image-spec schema only checks the generic
 * `algorithm:encoded` grammar; the per-algorithm rules and the hash are checked here.
 */
import { createHash } from 'node:crypto';
import { EngineError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

const ENCODED: Readonly<Record<DigestAlgorithm, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  encoded: string;
}

/** Parses "sha256:<64 lowercase hex>" (or sha512); throws invalid_argument naming the digest otherwise. */
export function parseDigest(digest: string): ParsedDigest {
  const colon = digest.indexOf(':');
  const algorithm = colon > 0 ? digest.slice(0, colon) : '';
  const encoded = digest.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new EngineError('invalid_argument', `digest ${JSON.stringify(digest)}: unsupported algorithm ${JSON.stringify(algorithm)}`);
  }
  if (!ENCODED[algorithm].test(encoded)) {
    const len = algorithm === 'sha256' ? 64 : 128;
    throw new EngineError('invalid_argument', `digest ${JSON.stringify(digest)}: ${algorithm} must be ${len} lowercase hex characters`);
  }
  return { algorithm, encoded };
}

export function isValidDigest(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}

export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Throws failed_precondition "digest mismatch (got ...)" when the content does not hash to the digest. */
export function verifyDigest(data: Uint8Array | string, expected: string): void {
  const { algorithm } = parseDigest(expected);
  const actual = digestOf(data, algorithm);
  if (actual !== expected) {
    throw new EngineError('failed_precondition', `${expected}: digest mismatch (got ${actual})`);
  }
}
