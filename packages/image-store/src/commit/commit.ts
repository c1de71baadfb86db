/**
 * `docker commit`: a container's writable layer becomes one more gzip layer on top
 * of its image's, with a new config (diff ID and history appended, `changes`
 * applied) and a new manifest of the same family (OCI or Docker v2), named `name`.
 * The container should be stopped or paused meanwhile: a file that changes while
 * it is read fails the commit (tar size mismatch) rather than giving a torn layer.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { assertImageConfig, assertImageManifest, EngineError, wrapError, type ImageConfig, type ImageManifest } from '@tsrun/oci-spec';
import { putBytes, putFile } from '../blob-io.js';
import type { ContentStore } from '../content-store.js';
import { readJsonBlob } from '../image-reader.js';
import { MediaType } from '../media-types.js';
import type { Descriptor, MetadataStore } from '../metadata-store.js';
import type { CommitRequest, CommitResult } from '../types.js';
import { writeUpperTar } from './upper-tar.js';

function hashing(onChunk: (c: Buffer) => void): Transform {
  return new Transform({ transform(chunk: Buffer, _e, done) { onChunk(chunk); done(null, chunk); } });
}

/** Writes the gzip layer of `upper` to `path`; returns its descriptor fields and its diff ID. */
export async function writeLayer(upper: string, path: string, what: string): Promise<{ digest: string; size: number; diffId: string }> {
  const p = tarPack();
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  let size = 0;
  const written = pipeline(p, hashing((c) => diff.update(c)), createGzip(), hashing((c) => { blob.update(c); size += c.length; }), createWriteStream(path));
  try {
    await writeUpperTar(upper, p, what);
  } catch (err) {
    p.destroy(err as Error);
    await written.catch(() => {});
    throw err;
  }
  await written;
  return { digest: `sha256:${blob.digest('hex')}`, size, diffId: `sha256:${diff.digest('hex')}` };
}

export interface CommitDeps {
  content: ContentStore;
  metadata: MetadataStore;
  /** The container's overlay upper directory. */
  upperDir(id: string): string;
  tmpDir: string;
}

export async function commitContainer(deps: CommitDeps, req: CommitRequest): Promise<CommitResult> {
  const what = `commit ${req.containerId} as ${req.name}`;
  const container = deps.metadata.getContainer(req.containerId);
  const info = await deps.content.info(container.imageDigest);
  if (!info) throw new EngineError('failed_precondition', `${what}: its image's manifest ${container.imageDigest} is no longer in the store`);
  const probe = await readJsonBlob(deps.content, { mediaType: MediaType.ociManifest, ...info }, what) as { mediaType?: string };
  const docker = probe.mediaType === MediaType.dockerManifest;
  const base = probe as unknown as ImageManifest;
  assertImageManifest(base, `${what}: manifest ${container.imageDigest}`);
  const baseConfig = await readJsonBlob(deps.content, base.config as Descriptor, what);
  assertImageConfig(baseConfig, `${what}: config ${base.config.digest}`);

  const tmp = await mkdtemp(join(deps.tmpDir, 'commit-'));
  try {
    const layerFile = join(tmp, 'layer.tar.gz');
    const layerInfo = await writeLayer(deps.upperDir(req.containerId), layerFile, what);
    const layer: Descriptor = { mediaType: docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip, digest: layerInfo.digest, size: layerInfo.size };
    await putFile(deps.content, layerFile, layer, what);

    const now = new Date().toISOString();
    const config: ImageConfig = structuredClone(baseConfig);
    config.created = now;
    if (req.author) config.author = req.author;
    if (req.changes) config.config = { ...config.config, ...req.changes } as ImageConfig['config'];
    config.rootfs.diff_ids = [...config.rootfs.diff_ids, layerInfo.diffId];
    config.history = [...(config.history ?? []), {
      created: now, created_by: 'tsrun commit', ...(req.author && { author: req.author }), ...(req.comment && { comment: req.comment }),
    }];
    assertImageConfig(config, `${what}: new config`);
    const configBlob = await putBytes(deps.content, Buffer.from(JSON.stringify(config)), what);

    const manifest = {
      schemaVersion: 2,
      mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
      config: { mediaType: base.config.mediaType, ...configBlob },
      layers: [...base.layers, layer],
    };
    assertImageManifest(manifest, `${what}: new manifest`);
    const m = await putBytes(deps.content, Buffer.from(JSON.stringify(manifest)), what);
    const record = await deps.metadata.putImage(req.name, { mediaType: manifest.mediaType, ...m });
    return { record, layer, diffId: layerInfo.diffId };
  } catch (err) {
    throw err instanceof EngineError ? err : wrapError(err, what);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
