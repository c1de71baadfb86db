/**
 * Push: for an image manifest, its config and layers (skipped when the
 * registry has them, mounted from another repository of the same registry
 * when one is named, else uploaded: monolithic up to a size, chunked above),
 * then the manifest; for an index, each of its manifests first (by digest).
 */
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ContentStore } from '@tsrun/image-store';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import { type Descriptor, type Index, isIndexMediaType, isManifestMediaType, type Manifest } from './media-types.js';
import { mapPool } from './pool.js';
import { type ProgressListener, ProgressTracker } from './progress.js';
import { formatReference, type ImageReference } from './reference.js';
import type { RegistryRepository } from './registry-repository.js';

export interface PushOptions {
  /** The manifest or index to push; it and everything it names must be in the store. */
  manifest: Descriptor;
  /** Repository paths on the same registry that may hold the blobs, tried as cross-repository mounts. */
  mountFrom?: readonly string[];
  /** Blobs uploaded at once (default 3). */
  concurrency?: number;
  /** Blobs up to this size go in one PUT (default 32 MiB); bigger ones in chunks. */
  monolithicMax?: number;
  /** PATCH size of a chunked upload (default 16 MiB). */
  chunkSize?: number;
  onProgress?: ProgressListener;
}

export interface PushResult {
  reference: string;
  /** The digest of the pushed manifest or index. */
  digest: string;
  mediaType: string;
  size: number;
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  bytesUploaded: number;
}

export interface PushContext {
  store: ContentStore;
  repo: RegistryRepository;
}

/** The blob's bytes in pieces of `size` (the last one shorter). */
async function* pieces(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const c of stream) {
    let chunk = c as Buffer;
    while (held + chunk.length >= size) {
      const take = size - held;
      parts.push(chunk.subarray(0, take));
      yield Buffer.concat(parts);
      chunk = chunk.subarray(take);
      parts = [];
      held = 0;
    }
    if (chunk.length > 0) {
      parts.push(chunk);
      held += chunk.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

async function readDoc(store: ContentStore, desc: Descriptor, what: string): Promise<Buffer> {
  if ((await store.info(desc.digest)) === undefined) {
    throw new EngineError('not_found', `${what}: ${desc.digest} is not in the content store`);
  }
  return buffer(await store.read(desc.digest));
}

export async function pushImage(ctx: PushContext, ref: ImageReference, opts: PushOptions): Promise<PushResult> {
  const name = formatReference(ref);
  const what = `push ${name}`;
  const result: PushResult = { reference: name, digest: '', mediaType: opts.manifest.mediaType, size: 0, blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, bytesUploaded: 0 };
  const progress = new ProgressTracker(opts.onProgress);
  const monolithicMax = opts.monolithicMax ?? 32 * 1024 * 1024;
  const chunkSize = opts.chunkSize ?? 16 * 1024 * 1024;

  const pushBlob = async (desc: Descriptor, kind: string): Promise<void> => {
    const label = `${what}: ${kind} ${desc.digest.slice(0, 19)}`;
    if ((await ctx.repo.headBlob(desc.digest, label, 'pull,push')) === desc.size) {
      result.blobsSkipped += 1;
      progress.update(desc.digest, 'exists');
      return;
    }
    if ((await ctx.store.info(desc.digest)) === undefined) throw new EngineError('not_found', `${label}: not in the content store`);
    let location: string | undefined;
    for (const from of opts.mountFrom ?? []) {
      if (from === ctx.repo.path) continue;
      const r = await ctx.repo.startUpload(`${label}: mount from ${from}`, { digest: desc.digest, from });
      if (r.mounted) {
        result.blobsMounted += 1;
        progress.update(desc.digest, 'exists');
        return;
      }
      location = r.location;
      break;
    }
    if (location === undefined) {
      const r = await ctx.repo.startUpload(label);
      if (r.mounted) throw new EngineError('internal', `${label}: unexpected mount`);
      location = r.location;
    }
    progress.update(desc.digest, 'uploading', 0);
    if (desc.size <= monolithicMax) {
      const bytes = await buffer(await ctx.store.read(desc.digest));
      await ctx.repo.finishUpload(location, desc.digest, bytes, label);
    } else {
      let offset = 0;
      for await (const piece of pieces(await ctx.store.read(desc.digest), chunkSize)) {
        location = await ctx.repo.patchChunk(location, piece, offset, label);
        offset += piece.length;
        progress.update(desc.digest, 'uploading', offset);
      }
      if (offset !== desc.size) throw new EngineError('failed_precondition', `${label}: the store holds ${offset} bytes, the manifest says ${desc.size}`);
      await ctx.repo.finishUpload(location, desc.digest, undefined, label);
    }
    result.blobsUploaded += 1;
    result.bytesUploaded += desc.size;
    progress.update(desc.digest, 'done');
  };

  const pushManifest = async (desc: Descriptor, selector: string): Promise<string> => {
    const mwhat = `${what}: manifest ${desc.digest}`;
    const bytes = await readDoc(ctx.store, desc, mwhat);
    let doc: Manifest & Index;
    try {
      doc = JSON.parse(bytes.toString('utf8')) as Manifest & Index;
    } catch (err) {
      throw wrapError(err, mwhat, 'invalid_argument');
    }
    const mediaType = doc.mediaType ?? desc.mediaType;
    if (isIndexMediaType(mediaType)) {
      for (const child of doc.manifests ?? []) await pushManifest(child, child.digest);
    } else if (isManifestMediaType(mediaType)) {
      const blobs = [{ desc: doc.config, kind: 'config' }, ...(doc.layers ?? []).map((l) => ({ desc: l, kind: 'layer' }))]
        .filter((b, i, all) => all.findIndex((o) => o.desc.digest === b.desc.digest) === i);
      for (const b of blobs) progress.add(b.desc.digest, b.kind, b.desc.size);
      await mapPool(blobs, opts.concurrency ?? 3, (b) => pushBlob(b.desc, b.kind));
    } else {
      throw new EngineError('unimplemented', `${mwhat}: unsupported media type ${JSON.stringify(mediaType)}`);
    }
    return ctx.repo.putManifest(selector, mediaType, bytes, mwhat);
  };

  const selector = ref.tag ?? ref.digest ?? opts.manifest.digest;
  if (ref.digest !== undefined && ref.digest !== opts.manifest.digest) {
    throw new EngineError('invalid_argument', `${what}: the reference's digest is not the manifest's (${opts.manifest.digest})`);
  }
  result.digest = await pushManifest(opts.manifest, selector);
  result.size = opts.manifest.size;
  return result;
}
