/**
 * Garbage collection: every blob and snapshot that no image name and no container
 * reaches is removed. Blobs younger than `minAgeMs` are kept, since a pull stores
 * its blobs before it names its image (containerd uses leases for the same gap).
 * A failure to remove one item is reported and the rest carry on; a failure to
 * read what an image references stops the collection before anything is removed.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { walkImage } from './image-walk.js';
import type { LocalContentStore } from './local-content-store.js';
import { MediaType } from './media-types.js';
import type { MetadataStore } from './metadata-store.js';
import { isMounted } from './rootfs.js';
import type { PruneOptions, PruneReport } from './types.js';
import { chainIds } from './unpack/chain-id.js';
import type { Snapshotter } from './unpack/snapshotter.js';
import { treeBytes } from './tree-bytes.js';

export const DEFAULT_MIN_AGE_MS = 10 * 60 * 1000;

export interface References {
  blobs: Set<string>;
  snapshots: Set<string>;
}

export async function findReferences(content: LocalContentStore, metadata: MetadataStore): Promise<References> {
  const refs: References = { blobs: new Set(), snapshots: new Set() };
  const roots = [
    ...metadata.listImages().map((i) => ({ what: `image ${i.name}`, target: i.target })),
    // a container keeps its image's manifest even when no name points at it any more
    ...metadata.listContainers().map((c) => ({ what: `container ${c.id}`, target: { mediaType: MediaType.ociManifest, digest: c.imageDigest, size: 0 } })),
  ];
  for (const c of metadata.listContainers()) for (const id of c.chainIds) refs.snapshots.add(id);
  for (const { what, target } of roots) {
    let graph;
    try {
      graph = await walkImage(content, target, what);
    } catch (err) {
      throw new EngineError('failed_precondition', `garbage collection: ${what}: cannot read what it references, nothing removed: ${(err as Error).message}`, { cause: err });
    }
    for (const b of graph.blobs) refs.blobs.add(b.digest);
    for (const m of graph.manifests) {
      if (m.config) for (const id of chainIds(m.config.rootfs.diff_ids)) refs.snapshots.add(id);
    }
  }
  return refs;
}

export async function collectGarbage(content: LocalContentStore, metadata: MetadataStore, snapshots: Snapshotter, opts: PruneOptions = {}): Promise<PruneReport> {
  const minAge = opts.minAgeMs ?? DEFAULT_MIN_AGE_MS;
  const refs = await findReferences(content, metadata);
  const report: PruneReport = { removedBlobs: [], removedSnapshots: [], reclaimedBytes: 0, failures: [] };
  const now = Date.now();
  for (const snap of await snapshots.list()) {
    if (refs.snapshots.has(snap.chainId)) continue;
    try {
      const bytes = await treeBytes(snapshots.fsPath(snap.chainId));
      await snapshots.remove(snap.chainId);
      report.removedSnapshots.push(snap.chainId);
      report.reclaimedBytes += bytes;
    } catch (err) {
      report.failures.push({ what: `snapshot ${snap.chainId}`, error: (err as Error).message });
    }
  }
  for await (const blob of content.list()) {
    if (refs.blobs.has(blob.digest)) continue;
    try {
      const st = await stat(content.blobPath(blob.digest));
      if (now - st.mtimeMs < minAge) continue;
      await content.delete(blob.digest);
      report.removedBlobs.push(blob);
      report.reclaimedBytes += blob.size;
    } catch (err) {
      report.failures.push({ what: `blob ${blob.digest}`, error: (err as Error).message });
    }
  }
  await removeOrphanContainerDirs(metadata, report);
  return report;
}

/** A container directory whose record a crash lost (and which nothing mounts) is garbage too. */
async function removeOrphanContainerDirs(metadata: MetadataStore, report: PruneReport): Promise<void> {
  const known = new Set(metadata.listContainers().map((c) => c.id));
  for (const id of await readdir(metadata.containersDir).catch(() => [] as string[])) {
    if (known.has(id)) continue;
    const dir = join(metadata.containersDir, id);
    try {
      if (await isMounted(join(dir, 'rootfs'))) continue;
      const bytes = await treeBytes(dir);
      await rm(dir, { recursive: true, force: true });
      report.reclaimedBytes += bytes;
    } catch (err) {
      report.failures.push({ what: `container directory ${dir}`, error: (err as Error).message });
    }
  }
}
