export type { BlobInfo, ContentStore, ExpectedBlob, Ingest } from './content-store.js';
export { LocalContentStore, sha256Hex, type IngestRecord } from './local-content-store.js';
export { MetadataStore, type ContainerRecord, type Descriptor, type ImageRecord, type RemoveImageOptions } from './metadata-store.js';
export { MediaType, compressionOfMediaType, isIndexType, isManifestType, type LayerCompression } from './media-types.js';
export { resolveImage, readJsonBlob, DEFAULT_PLATFORM, type Platform, type ResolvedImage } from './image-reader.js';
export { Snapshotter, type LayerRef, type SnapshotInfo, type UnpackOptions } from './unpack/snapshotter.js';
export { applyLayer, type ApplyResult } from './unpack/apply-layer.js';
export { chainIds } from './unpack/chain-id.js';
export { openLayerTar, compressionOfMagic } from './unpack/decompress.js';
export { RootfsManager, isMounted, utilLinuxMounter, type PreparedRootfs, type RootfsMounter } from './rootfs.js';
export { LocalImageStore } from './image-store.js';
export type {
  ArchiveFormat, CommitRequest, CommitResult, DiskUsage, ExportRequest, ImageDetails, ImageStore, ImageUsage, ImportRequest, PruneOptions, PruneReport,
} from './types.js';
export type { LocalImageStoreOptions } from './image-store.js';
export { exportOciLayout, importOciLayout, REF_NAME, IMAGE_NAME, type ImportOptions } from './oci-layout.js';
export { exportDockerArchive, importDockerArchive, type DockerImportOptions } from './docker-archive.js';
export { walkImage, type ImageGraph, type WalkedManifest } from './image-walk.js';
export { collectGarbage, findReferences, DEFAULT_MIN_AGE_MS } from './gc.js';
export { diskUsage } from './disk-usage.js';
export { treeBytes } from './tree-bytes.js';
export { addImageService, imageServiceHandlers, IMAGES_PROTO } from './server.js';
export { GrpcImageStore } from './client.js';
export { commitContainer, writeLayer } from './commit/commit.js';
export { ingestFrom, putBytes, putFile, sha256Of } from './blob-io.js';
