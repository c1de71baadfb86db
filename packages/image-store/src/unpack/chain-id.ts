/** Chain IDs per the OCI image spec: ChainID(L0) = DiffID(L0), ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
import { createHash } from 'node:crypto';
import { EngineError, isValidDigest } from '@tsrun/oci-spec';

export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, diffId] of diffIds.entries()) {
    if (!isValidDigest(diffId)) throw new EngineError('invalid_argument', `image config: /rootfs/diff_ids/${i}: ${JSON.stringify(diffId)} is not a valid digest`);
    const parent = out[i - 1];
    out.push(parent === undefined ? diffId : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`);
  }
  return out;
}
