/** Test helper: a small image (config, manifest, gzip layers) put into a store and named. */
import { gzipSync } from 'node:zlib';
import { putBytes, sha256Of } from './blob-io.js';
import type { ContentStore } from './content-store.js';
import { MediaType } from './media-types.js';
import type { ImageRecord, MetadataStore } from './metadata-store.js';
import { makeTar, type TarEntry } from './unpack/test-tar.js';

export interface TestImage {
  record: ImageRecord;
  tars: Buffer[];
  configDigest: string;
}

export async function makeTestImage(content: ContentStore, metadata: MetadataStore, name: string, layers: TarEntry[][]): Promise<TestImage> {
  const tars = await Promise.all(layers.map((l) => makeTar(l)));
  const blobs = [];
  for (const tar of tars) blobs.push(await putBytes(content, gzipSync(tar), 'test layer'));
  const config = Buffer.from(JSON.stringify({
    created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: tars.map((t) => sha256Of(t)) },
    history: tars.map(() => ({ created_by: 'test' })),
  }));
  const c = await putBytes(content, config, 'test config');
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, ...c },
    layers: blobs.map((b) => ({ mediaType: MediaType.ociLayerGzip, ...b })),
  }));
  const m = await putBytes(content, manifest, 'test manifest');
  const record = await metadata.putImage(name, { mediaType: MediaType.ociManifest, ...m });
  return { record, tars, configDigest: c.digest };
}
