/** Disk usage of the store: blob sizes; snapshots and writable layers in blocks on disk (./tree-bytes.ts). */
import { findReferences } from './gc.js';
import { walkImage } from './image-walk.js';
import type { LocalContentStore } from './local-content-store.js';
import type { MetadataStore } from './metadata-store.js';
import type { DiskUsage } from './types.js';
import { chainIds } from './unpack/chain-id.js';
import type { Snapshotter } from './unpack/snapshotter.js';
import { treeBytes } from './tree-bytes.js';

export async function diskUsage(content: LocalContentStore, metadata: MetadataStore, snapshots: Snapshotter, containersDir: string): Promise<DiskUsage> {
  const blobSizes = new Map<string, number>();
  for await (const b of content.list()) blobSizes.set(b.digest, b.size);
  const snapBytes = new Map<string, number>();
  for (const s of await snapshots.list()) snapBytes.set(s.chainId, await treeBytes(snapshots.fsPath(s.chainId)));
  const images = [];
  for (const image of metadata.listImages()) {
    const graph = await walkImage(content, image.target, `disk usage: image ${image.name}`);
    const chains = new Set(graph.manifests.flatMap((m) => (m.config ? chainIds(m.config.rootfs.diff_ids) : [])));
    images.push({
      name: image.name,
      digest: image.target.digest,
      contentBytes: graph.blobs.reduce((n, b) => n + (blobSizes.get(b.digest) ?? 0), 0),
      snapshotBytes: [...chains].reduce((n, c) => n + (snapBytes.get(c) ?? 0), 0),
    });
  }
  const refs = await findReferences(content, metadata);
  let reclaimable = 0;
  for (const [d, size] of blobSizes) if (!refs.blobs.has(d)) reclaimable += size;
  for (const [c, bytes] of snapBytes) if (!refs.snapshots.has(c)) reclaimable += bytes;
  return {
    images,
    contentBytes: [...blobSizes.values()].reduce((a, b) => a + b, 0),
    snapshotBytes: [...snapBytes.values()].reduce((a, b) => a + b, 0),
    containerBytes: await treeBytes(containersDir),
    reclaimableBytes: reclaimable,
  };
}
