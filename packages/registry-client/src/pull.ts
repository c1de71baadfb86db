/**
 * Pull: resolve the reference to a digest (one HEAD, or none when pulled by
 * digest), take the manifest (and index) from the store when it is there or
 * fetch and store it, pick the platform's manifest, then fetch the config and
 * layers through a bounded pool. A re-pull of an unchanged image costs the one
 * HEAD and nothing more.
 */
import { buffer } from 'node:stream/consumers';
import type { ContentStore } from '@tsrun/image-store';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import type { BlobFetcher } from './blob-fetcher.js';
import { type Descriptor, type Index, isIndexMediaType, isManifestMediaType, type Manifest, type Platform } from './media-types.js';
import { DEFAULT_PLATFORM, selectManifest } from './platform.js';
import { mapPool } from './pool.js';
import { type ProgressListener, ProgressTracker } from './progress.js';
import { formatReference, type ImageReference, manifestSelector } from './reference.js';
import type { RegistryRepository } from './registry-repository.js';

export interface PullOptions {
  platform?: Platform;
  /** Blobs fetched at once (default 3). */
  concurrency?: number;
  onProgress?: ProgressListener;
  /** Called once the platform's manifest is known, before any blob is fetched. */
  onManifest?: (image: { manifest: Descriptor; config: Descriptor; layers: Descriptor[] }) => void;
  /** Called for each config or layer blob as soon as it is in the store (fetched, or there already). */
  onBlob?: (desc: Descriptor) => void;
}

export interface PullResult {
  /** The reference as pulled, fully qualified: `localhost:5000/x:1`. */
  reference: string;
  /** `domain/path` */
  repository: string;
  tag?: string;
  /** What the reference resolved to in the registry (an index or a manifest): the image's repo digest. */
  digest: string;
  /** The top-level descriptor when the reference named an index. */
  index?: Descriptor;
  /** The platform's image manifest, stored in the content store. */
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** The image config document (OCI image-spec config). */
  imageConfig: Record<string, unknown>;
  platform: Platform;
  /** Bytes transferred from the registry (manifests and blobs). */
  bytesFetched: number;
}

export interface PullContext {
  store: ContentStore;
  fetcher: BlobFetcher;
  repo: RegistryRepository;
}

interface Doc {
  desc: Descriptor;
  bytes: Buffer;
  fetched: boolean;
}

async function storeBytes(store: ContentStore, desc: Descriptor, bytes: Buffer, what: string): Promise<void> {
  const ingest = await store.ingest(`fetch-${desc.digest}`, { digest: desc.digest, size: bytes.length });
  try {
    if (ingest.offset < bytes.length) {
      if (ingest.offset > 0) {
        await ingest.write(bytes.subarray(ingest.offset));
      } else {
        await ingest.write(bytes);
      }
    }
    await ingest.commit();
  } catch (err) {
    await ingest.abort().catch(() => undefined);
    throw wrapError(err, `${what}: store ${desc.digest}`);
  }
}

/** A manifest or index by digest: from the store, else from the registry (then stored). */
async function manifestDoc(ctx: PullContext, desc: Descriptor | undefined, selector: string, what: string): Promise<Doc> {
  if (desc !== undefined && (await ctx.store.info(desc.digest)) !== undefined) {
    const bytes = await buffer(await ctx.store.read(desc.digest));
    return { desc: { ...desc, size: bytes.length }, bytes, fetched: false };
  }
  const got = await ctx.repo.getManifest(desc?.digest ?? selector, what);
  if (desc !== undefined && got.digest !== desc.digest) {
    throw new EngineError('failed_precondition', `${what}: manifest ${desc.digest}: digest mismatch (got ${got.digest})`);
  }
  const full: Descriptor = { ...desc, mediaType: desc?.mediaType || got.mediaType, digest: got.digest, size: got.size };
  await storeBytes(ctx.store, full, got.bytes, what);
  return { desc: full, bytes: got.bytes, fetched: true };
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw wrapError(err, what, 'invalid_argument');
  }
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const x = d as Partial<Descriptor> | null;
  if (x === null || typeof x !== 'object' || typeof x.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(x.digest)
    || typeof x.size !== 'number' || !Number.isSafeInteger(x.size) || x.size < 0 || typeof x.mediaType !== 'string') {
    throw new EngineError('invalid_argument', `${what}: invalid descriptor ${JSON.stringify(d)?.slice(0, 200)}`);
  }
  return x as Descriptor;
}

function mediaTypeOfDoc(doc: Doc): string {
  const declared = (parseJson<{ mediaType?: string }>(doc.bytes, 'manifest')).mediaType;
  return declared ?? doc.desc.mediaType;
}

export async function pullImage(ctx: PullContext, ref: ImageReference, opts: PullOptions = {}): Promise<PullResult> {
  const name = formatReference(ref);
  const what = `pull ${name}`;
  const platform = opts.platform ?? DEFAULT_PLATFORM;
  let bytesFetched = 0;

  let top: Descriptor | undefined;
  if (ref.digest !== undefined) {
    top = { mediaType: '', digest: ref.digest, size: 0 };
  } else {
    const head = await ctx.repo.headManifest(manifestSelector(ref), what);
    if (head !== undefined) top = { mediaType: head.mediaType, digest: head.digest, size: head.size };
  }
  const topDoc = await manifestDoc(ctx, top, manifestSelector(ref), what);
  if (topDoc.fetched) bytesFetched += topDoc.bytes.length;

  let index: Descriptor | undefined;
  let manifestDocument = topDoc;
  const topType = mediaTypeOfDoc(topDoc);
  if (isIndexMediaType(topType)) {
    index = { ...topDoc.desc, mediaType: topType };
    const idx = parseJson<Index>(topDoc.bytes, `${what}: index ${topDoc.desc.digest}`);
    if (!Array.isArray(idx.manifests)) throw new EngineError('invalid_argument', `${what}: index ${topDoc.desc.digest} has no manifests`);
    const chosen = checkDescriptor(selectManifest(idx.manifests, platform, what), `${what}: index ${topDoc.desc.digest}`);
    manifestDocument = await manifestDoc(ctx, chosen, chosen.digest, what);
    if (manifestDocument.fetched) bytesFetched += manifestDocument.bytes.length;
  } else if (!isManifestMediaType(topType)) {
    throw new EngineError('unimplemented', `${what}: unsupported manifest media type ${JSON.stringify(topType)}`);
  }

  const manifestWhat = `${what}: manifest ${manifestDocument.desc.digest}`;
  const manifest = parseJson<Manifest>(manifestDocument.bytes, manifestWhat);
  const config = checkDescriptor(manifest.config, `${manifestWhat}: config`);
  if (!Array.isArray(manifest.layers)) throw new EngineError('invalid_argument', `${manifestWhat}: no layers`);
  const layers = manifest.layers.map((l, i) => checkDescriptor(l, `${manifestWhat}: layer ${i}`));
  const manifestDesc: Descriptor = {
    mediaType: mediaTypeOfDoc(manifestDocument), digest: manifestDocument.desc.digest, size: manifestDocument.bytes.length,
    ...(manifestDocument.desc.platform && { platform: manifestDocument.desc.platform }),
  };

  opts.onManifest?.({ manifest: manifestDesc, config, layers });
  const progress = new ProgressTracker(opts.onProgress);
  const blobs: { desc: Descriptor; kind: string }[] = [{ desc: config, kind: 'config' }];
  for (const l of layers) if (!blobs.some((b) => b.desc.digest === l.digest)) blobs.push({ desc: l, kind: 'layer' });
  for (const b of blobs) progress.add(b.desc.digest, b.kind, b.desc.size);

  await mapPool(blobs, opts.concurrency ?? 3, async ({ desc, kind }) => {
    if ((await ctx.store.info(desc.digest)) !== undefined) {
      progress.update(desc.digest, 'exists');
      opts.onBlob?.(desc);
      return;
    }
    let seen = 0;
    await ctx.fetcher.fetch(ctx.repo, desc, `${what}: ${kind}`, (phase, done) => {
      progress.update(desc.digest, phase, done);
      seen = Math.max(seen, done);
    });
    bytesFetched += seen;
    progress.update(desc.digest, 'done');
    opts.onBlob?.(desc);
  });

  const imageConfig = parseJson<Record<string, unknown>>(await buffer(await ctx.store.read(config.digest)), `${what}: config ${config.digest}`);
  return {
    reference: name,
    repository: `${ref.domain}/${ref.path}`,
    ...(ref.tag !== undefined && { tag: ref.tag }),
    digest: topDoc.desc.digest,
    ...(index !== undefined && { index }),
    manifest: manifestDesc,
    config,
    layers,
    imageConfig,
    platform: index !== undefined ? platform : platformOf(imageConfig, platform),
    bytesFetched,
  };
}

function platformOf(config: Record<string, unknown>, fallback: Platform): Platform {
  const os = typeof config.os === 'string' ? config.os : fallback.os;
  const architecture = typeof config.architecture === 'string' ? config.architecture : fallback.architecture;
  const variant = typeof config.variant === 'string' ? config.variant : undefined;
  return { os, architecture, ...(variant !== undefined && { variant }) };
}
