import { describe, expect, it } from 'vitest';
import { descriptorFromWire, descriptorToWire, platformFromWire, platformToWire, progressFromWire, progressToWire, pullResultFromWire, pullResultToWire, pushResultFromWire, pushResultToWire } from './grpc-convert.js';
import type { PullResult } from './pull.js';

const D = (n: string) => `sha256:${n.repeat(64)}`;

// The loader's view of a message: int64 as strings, unset fields as defaults (what the wire gives back).
const wire = <T>(x: T): any => JSON.parse(JSON.stringify(x));

describe('grpc-convert', () => {
  it('round-trips descriptors, platforms and results', () => {
    const d = { mediaType: 'm', digest: D('a'), size: 2 ** 40, platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, annotations: { k: 'v' } };
    expect(descriptorFromWire(wire(descriptorToWire(d)), 'd')).toEqual(d);
    expect(descriptorFromWire({ ...wire(descriptorToWire({ mediaType: 'm', digest: D('b'), size: 1 })), platform: null, annotations: {} }, 'd'))
      .toEqual({ mediaType: 'm', digest: D('b'), size: 1 });
    expect(platformFromWire(wire(platformToWire({ os: 'linux', architecture: 'amd64' })))).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(platformFromWire({ os: '', architecture: '', variant: '' })).toBeUndefined();

    const pull: PullResult = {
      reference: 'r', repository: 'x/y', tag: 't', digest: D('c'), manifest: { mediaType: 'm', digest: D('c'), size: 3 },
      config: { mediaType: 'c', digest: D('d'), size: 4 }, layers: [{ mediaType: 'l', digest: D('e'), size: 5 }],
      imageConfig: { os: 'linux', rootfs: { diff_ids: [] } }, platform: { os: 'linux', architecture: 'amd64' }, bytesFetched: 12,
    };
    const w = { ...wire(pullResultToWire(pull)), index: null };
    expect(pullResultFromWire(w)).toEqual(pull);
    const push = { reference: 'r', digest: D('f'), mediaType: 'm', size: 9, blobsUploaded: 1, blobsSkipped: 2, blobsMounted: 3, bytesUploaded: 2 ** 35 };
    expect(pushResultFromWire(wire(pushResultToWire(push)))).toEqual(push);
  });

  it('maps progress phases to the enum and back', () => {
    for (const phase of ['waiting', 'downloading', 'uploading', 'verifying', 'done', 'exists'] as const) {
      const e = { blob: { digest: D('a'), kind: 'layer', phase, bytesDone: 1, bytesTotal: 2 }, total: { bytesDone: 1, bytesTotal: 2, blobsDone: 0, blobsTotal: 1 } };
      const w = progressToWire(e);
      expect(w.blob!.phase).toBe(`PHASE_${phase.toUpperCase()}`);
      expect(progressFromWire(wire(w))).toEqual(e);
    }
  });
});
