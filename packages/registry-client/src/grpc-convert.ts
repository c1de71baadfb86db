/**
 * Between the TypeScript contract (registry-client.ts) and the wire messages
 * of proto/registry/v1/registry.proto. int64s arrive as strings (the loader's
 * `longs: String`); empty strings stand for unset optional fields.
 */
import { descriptorFromWire, descriptorToWire, platformFromWire, platformToWire } from '@tsrun/proto';
import type { Progress, Progress__Output } from '@tsrun/proto/generated/tsrun/registry/v1/Progress.js';
import type { PullResult as WirePullResult, PullResult__Output as WirePullResultOut } from '@tsrun/proto/generated/tsrun/registry/v1/PullResult.js';
import type { PushResult as WirePushResult, PushResult__Output as WirePushResultOut } from '@tsrun/proto/generated/tsrun/registry/v1/PushResult.js';
import type { Phase, ProgressEvent } from './progress.js';
import type { PullResult } from './pull.js';
import type { PushResult } from './push.js';

// The descriptor and platform converters are the shared ones of @tsrun/proto.
export { descriptorFromWire, descriptorToWire, platformFromWire, platformToWire } from '@tsrun/proto';

export function progressToWire(e: ProgressEvent): Progress {
  return {
    blob: { ...e.blob, phase: `PHASE_${e.blob.phase.toUpperCase()}` as 'PHASE_DONE', bytesDone: String(e.blob.bytesDone), bytesTotal: String(e.blob.bytesTotal) },
    total: { ...e.total, bytesDone: String(e.total.bytesDone), bytesTotal: String(e.total.bytesTotal) },
  };
}

export function progressFromWire(p: Progress__Output): ProgressEvent {
  const b = p.blob!;
  const t = p.total!;
  return {
    blob: { digest: b.digest, kind: b.kind, phase: b.phase.slice('PHASE_'.length).toLowerCase() as Phase, bytesDone: Number(b.bytesDone), bytesTotal: Number(b.bytesTotal) },
    total: { bytesDone: Number(t.bytesDone), bytesTotal: Number(t.bytesTotal), blobsDone: t.blobsDone, blobsTotal: t.blobsTotal },
  };
}

export function pullResultToWire(r: PullResult): WirePullResult {
  return {
    reference: r.reference, repository: r.repository, tag: r.tag ?? '', digest: r.digest,
    ...(r.index && { index: descriptorToWire(r.index) }),
    manifest: descriptorToWire(r.manifest), config: descriptorToWire(r.config), layers: r.layers.map(descriptorToWire),
    imageConfigJson: JSON.stringify(r.imageConfig), platform: platformToWire(r.platform), bytesFetched: String(r.bytesFetched),
  };
}

export function pullResultFromWire(r: WirePullResultOut): PullResult {
  return {
    reference: r.reference, repository: r.repository, ...(r.tag !== '' && { tag: r.tag }), digest: r.digest,
    ...(r.index && { index: descriptorFromWire(r.index, 'result.index') }),
    manifest: descriptorFromWire(r.manifest, 'result.manifest'), config: descriptorFromWire(r.config, 'result.config'),
    layers: r.layers.map((l, i) => descriptorFromWire(l, `result.layers[${i}]`)),
    imageConfig: JSON.parse(r.imageConfigJson) as Record<string, unknown>,
    platform: platformFromWire(r.platform) ?? { os: '', architecture: '' }, bytesFetched: Number(r.bytesFetched),
  };
}

export function pushResultToWire(r: PushResult): WirePushResult {
  return { ...r, size: String(r.size), bytesUploaded: String(r.bytesUploaded) };
}

export function pushResultFromWire(r: WirePushResultOut): PushResult {
  return { ...r, size: Number(r.size), bytesUploaded: Number(r.bytesUploaded) };
}
