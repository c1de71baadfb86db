/**
 * Pull and unpack as one operation, as `docker pull` does: the registry client
 * fetches the blobs, and each layer starts unpacking into its snapshot as soon
 * as its own blob is committed, while the others still download (only the
 * snapshot commits run in order, bottom first). The image is recorded under its
 * fully qualified name once every snapshot is there, so a listed image is
 * always ready to run. A re-pull of an unchanged image costs the manifest check
 * and finds every snapshot in place.
 */
import { type ImageRecord, type LayerRef, type LocalImageStore, readJsonBlob } from '@tsrun/image-store';
import { assertImageConfig, EngineError, isEngineError, wrapError } from '@tsrun/oci-spec';
import type { LocalRegistryClient } from './local-registry-client.js';
import type { Platform } from './media-types.js';
import type { ProgressEvent } from './progress.js';
import type { PullResult } from './pull.js';
import type { PushResult } from './push.js';
import type { ClientPullOptions, ClientPushOptions, RegistryClient, ResolveResult } from './registry-client.js';

export interface UnpackProgress {
  index: number;
  chainId: string;
  layerDigest: string;
  phase: 'unpacking' | 'done' | 'exists';
}

export type PullUnpackEvent =
  | { stage: 'pull'; progress: ProgressEvent }
  | { stage: 'unpack'; layer: UnpackProgress; layersDone: number; layersTotal: number };

export interface PullAndUnpackOptions {
  platform?: Platform;
  onProgress?: (event: PullUnpackEvent) => void;
}

export interface PullAndUnpackResult {
  pull: PullResult;
  image: ImageRecord;
  /** The image's snapshots, bottom first. */
  chainIds: string[];
  /** Layers unpacked by this call (0 when every snapshot was there). */
  unpacked: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  // whoever waits on it sees the rejection; nobody waiting is not an unhandled one
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export async function pullAndUnpack(
  registry: LocalRegistryClient, images: LocalImageStore, reference: string, opts: PullAndUnpackOptions = {},
): Promise<PullAndUnpackResult> {
  const what = `pull ${reference}`;
  const emit = opts.onProgress ?? (() => undefined);
  let pullError: { error: unknown } | undefined;
  const blobs = new Map<string, Deferred>();
  const blobStored = (digest: string): Deferred => {
    let d = blobs.get(digest);
    if (d === undefined) {
      d = deferred();
      if (pullError) d.reject(pullError.error);
      blobs.set(digest, d);
    }
    return d;
  };
  let image: { config: { digest: string; mediaType: string; size: number }; layers: { digest: string; mediaType: string; size: number }[] } | undefined;
  const manifestKnown = deferred();

  const pull = registry.pull(reference, {
    ...(opts.platform && { platform: opts.platform }),
    onProgress: (progress) => emit({ stage: 'pull', progress }),
    onManifest: (m) => { image = m; manifestKnown.resolve(); },
    onBlob: (desc) => blobStored(desc.digest).resolve(),
  });
  pull.catch((error: unknown) => {
    pullError = { error };
    manifestKnown.reject(error);
    for (const d of blobs.values()) d.reject(error);
  });

  const unpack = (async () => {
    await manifestKnown.promise;
    const { config, layers } = image!;
    await blobStored(config.digest).promise;
    const doc = await readJsonBlob(images.content, config, what);
    assertImageConfig(doc, `${what}: config ${config.digest}`);
    const diffIds = doc.rootfs.diff_ids;
    if (diffIds.length !== layers.length) {
      throw new EngineError('invalid_argument', `${what}: config ${config.digest} lists ${diffIds.length} diff IDs for ${layers.length} layers`);
    }
    const refs: LayerRef[] = layers.map((l, i) => ({ mediaType: l.mediaType, digest: l.digest, diffId: diffIds[i]! }));
    let layersDone = 0;
    let unpacked = 0;
    const chainIds = await images.snapshots.unpack(refs, {
      whenAvailable: (layer) => blobStored(layer.digest).promise,
      onLayer: (layer) => {
        if (layer.phase === 'done') unpacked += 1;
        if (layer.phase !== 'unpacking') layersDone += 1;
        emit({ stage: 'unpack', layer, layersDone, layersTotal: layers.length });
      },
    });
    return { chainIds, unpacked };
  })();

  const [pulled, unpackedResult] = await Promise.allSettled([pull, unpack]);
  if (pulled.status === 'rejected') throw pulled.reason;
  if (unpackedResult.status === 'rejected') {
    const err = unpackedResult.reason as unknown;
    throw isEngineError(err) ? new EngineError(err.code, `${what}: ${err.message}`, { cause: err }) : wrapError(err, what);
  }
  const result = pulled.value;
  const record = await images.metadata.putImage(result.reference, result.index ?? result.manifest);
  return { pull: result, image: record, ...unpackedResult.value };
}

/**
 * A RegistryClient whose pull is pullAndUnpack: what an engine serves, so that a
 * pulled image is named and ready to run. Unpacking shows as two more phases of
 * each layer (extracting, complete) after its download, with the pull's totals.
 */
export class UnpackingRegistryClient implements RegistryClient {
  constructor(private readonly registry: LocalRegistryClient, private readonly images: LocalImageStore) {}

  async pull(reference: string, opts: ClientPullOptions = {}): Promise<PullResult> {
    let total: ProgressEvent['total'] = { bytesDone: 0, bytesTotal: 0, blobsDone: 0, blobsTotal: 0 };
    const sizes = new Map<string, number>();
    const onProgress = opts.onProgress;
    const r = await pullAndUnpack(this.registry, this.images, reference, {
      ...(opts.platform && { platform: opts.platform }),
      onProgress: (e) => {
        if (e.stage === 'pull') {
          total = e.progress.total;
          sizes.set(e.progress.blob.digest, e.progress.blob.bytesTotal);
          onProgress?.(e.progress);
          return;
        }
        const size = sizes.get(e.layer.layerDigest) ?? 0;
        const phase = e.layer.phase === 'unpacking' ? 'extracting' : 'complete';
        onProgress?.({ blob: { digest: e.layer.layerDigest, kind: 'layer', phase, bytesDone: size, bytesTotal: size }, total });
      },
    });
    return r.pull;
  }

  push(reference: string, opts: ClientPushOptions): Promise<PushResult> {
    return this.registry.push(reference, opts);
  }

  resolve(reference: string): Promise<ResolveResult> {
    return this.registry.resolve(reference);
  }

  login(registry: string, username: string, password: string): Promise<void> {
    return this.registry.login(registry, username, password);
  }

  logout(registry: string): Promise<boolean> {
    return this.registry.logout(registry);
  }
}
