/**
 * The image store's API: what the local implementation (./image-store.ts) and its
 * gRPC client proxy (./client.ts) both implement, and the conformance suite
 * (./testsuite.ts) checks. Paths (import, export) are on the store's host.
 */
import type { ImageConfig } from '@tsrun/oci-spec';
import type { Platform } from './image-reader.js';
import type { Descriptor, ImageRecord } from './metadata-store.js';
import type { PreparedRootfs } from './rootfs.js';

export type ArchiveFormat = 'oci' | 'docker';

export interface ImportRequest {
  /** An OCI layout directory or a `docker save` tarball. */
  path: string;
  format: ArchiveFormat;
  /** OCI layout: import only the entry with this ref name. */
  refName?: string;
  /** OCI layout: the repository that names entries whose ref name is a bare tag. */
  repository?: string;
}

export interface ExportRequest {
  names: string[];
  /** Must not exist (or be an empty directory, for a layout). */
  path: string;
  format: ArchiveFormat;
  /** docker: the manifest chosen from an index. */
  platform?: Platform;
}

export interface ImageDetails {
  record: ImageRecord;
  /** The manifest for the platform (the default one), its config, and the layers' chain IDs. */
  manifestDigest: string;
  configDigest: string;
  layers: Descriptor[];
  diffIds: string[];
  chainIds: string[];
  /** Sum of the manifest's layer blob sizes. */
  size: number;
  /** The image config document. */
  config: ImageConfig;
}

export interface CommitRequest {
  containerId: string;
  /** The name of the new image. */
  name: string;
  author?: string;
  comment?: string;
  /** Replaces these fields of the config's `config` (Cmd, Entrypoint, Env, WorkingDir, User, Labels …). */
  changes?: Record<string, unknown>;
}

export interface CommitResult {
  record: ImageRecord;
  layer: Descriptor;
  diffId: string;
}

export interface PruneReport {
  removedBlobs: { digest: string; size: number }[];
  removedSnapshots: string[];
  reclaimedBytes: number;
  /** What could not be removed, and why. */
  failures: { what: string; error: string }[];
}

export interface PruneOptions {
  /** Blobs younger than this are kept (a pull that has not named its image yet); 10 minutes by default. */
  minAgeMs?: number;
}

export interface ImageUsage {
  name: string;
  digest: string;
  /** Bytes of the blobs this image references. */
  contentBytes: number;
  /** Bytes of its unpacked snapshots. */
  snapshotBytes: number;
}

export interface DiskUsage {
  images: ImageUsage[];
  /** Blob bytes; snapshots and containers' writable layers in blocks on disk, hard links once. */
  contentBytes: number;
  snapshotBytes: number;
  containerBytes: number;
  /** Blobs and snapshots that no image or container references (what `prune({ minAgeMs: 0 })` would remove). */
  reclaimableBytes: number;
}

export interface ImageStore {
  list(): Promise<ImageRecord[]>;
  get(name: string): Promise<ImageDetails>;
  tag(source: string, name: string): Promise<ImageRecord>;
  remove(name: string, opts?: { force?: boolean }): Promise<ImageRecord>;
  importImages(req: ImportRequest): Promise<ImageRecord[]>;
  exportImages(req: ExportRequest): Promise<void>;
  prepareRootfs(containerId: string, imageRef: string): Promise<PreparedRootfs>;
  removeRootfs(containerId: string): Promise<void>;
  commit(req: CommitRequest): Promise<CommitResult>;
  prune(opts?: PruneOptions): Promise<PruneReport>;
  diskUsage(): Promise<DiskUsage>;
}
