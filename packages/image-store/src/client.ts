/**
 * The ImageStore over gRPC: the same interface as LocalImageStore, so callers
 * cannot tell which they hold. Status codes become EngineErrors here.
 */
import { type ChannelCredentials, type ClientOptions, credentials as grpcCredentials, type ServiceError } from '@grpc/grpc-js';
import { assertImageConfig, EngineError, errorCodeFromGrpcStatus, type ImageConfig } from '@tsrun/oci-spec';
import { loadProto } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/images.js';
import type { ImageServiceClient } from '@tsrun/proto/generated/tsrun/images/v1/ImageService.js';
import { descriptorFromWire, imageFromWire, int, platformToWire } from './grpc-convert.js';
import type { ImageRecord } from './metadata-store.js';
import type { PreparedRootfs } from './rootfs.js';
import { IMAGES_PROTO } from './server.js';
import type {
  CommitRequest, CommitResult, DiskUsage, ExportRequest, ImageDetails, ImageStore, ImportRequest, PruneOptions, PruneReport,
} from './types.js';

function fromStatus(err: ServiceError): EngineError {
  return new EngineError(errorCodeFromGrpcStatus(err.code), err.details || err.message, { cause: err });
}

function unary<Res>(start: (cb: (err: ServiceError | null, res?: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(fromStatus(err)) : resolve(res as Res)));
  });
}

function imageConfigFromWire(json: string): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new EngineError('internal', `GetResponse.config_json: not JSON: ${(err as Error).message}`);
  }
  assertImageConfig(doc, 'GetResponse.config_json');
  return doc;
}

export class GrpcImageStore implements ImageStore {
  private readonly client: ImageServiceClient;

  /** `address`: `unix:///run/tsrun/images.sock` or `127.0.0.1:port`. */
  constructor(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), options: ClientOptions = {}) {
    const proto = loadProto<ProtoGrpcType>(IMAGES_PROTO);
    this.client = new proto.tsrun.images.v1.ImageService(address, creds, options);
  }

  close(): void {
    this.client.close();
  }

  async list(): Promise<ImageRecord[]> {
    const r = await unary<{ images: Parameters<typeof imageFromWire>[0][] }>((cb) => this.client.List({}, cb));
    return r.images.map((i, n) => imageFromWire(i, `ListResponse.images[${n}]`));
  }

  async get(name: string): Promise<ImageDetails> {
    const r = await unary((cb: Parameters<ImageServiceClient['Get']>[1]) => this.client.Get({ name }, cb));
    return {
      record: imageFromWire(r!.image, 'GetResponse.image'), manifestDigest: r!.manifestDigest, configDigest: r!.configDigest,
      layers: r!.layers.map((l, i) => descriptorFromWire(l, `GetResponse.layers[${i}]`)), diffIds: r!.diffIds, chainIds: r!.chainIds,
      size: int(r!.size, 'GetResponse.size'),
      config: imageConfigFromWire(r!.configJson),
    };
  }

  async tag(source: string, name: string): Promise<ImageRecord> {
    const r = await unary((cb: Parameters<ImageServiceClient['Tag']>[1]) => this.client.Tag({ source, name }, cb));
    return imageFromWire(r!.image, 'TagResponse.image');
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<ImageRecord> {
    const r = await unary((cb: Parameters<ImageServiceClient['Remove']>[1]) => this.client.Remove({ name, force: opts.force ?? false }, cb));
    return imageFromWire(r!.image, 'RemoveResponse.image');
  }

  async importImages(req: ImportRequest): Promise<ImageRecord[]> {
    const r = await unary((cb: Parameters<ImageServiceClient['Import']>[1]) => this.client.Import({
      path: req.path, format: req.format, refName: req.refName ?? '', repository: req.repository ?? '',
    }, cb));
    return r!.images.map((i, n) => imageFromWire(i, `ImportResponse.images[${n}]`));
  }

  async exportImages(req: ExportRequest): Promise<void> {
    await unary((cb: Parameters<ImageServiceClient['Export']>[1]) => this.client.Export({
      names: req.names, path: req.path, format: req.format, platform: platformToWire(req.platform),
    }, cb));
  }

  async prepareRootfs(containerId: string, imageRef: string): Promise<PreparedRootfs> {
    const r = await unary((cb: Parameters<ImageServiceClient['PrepareRootfs']>[1]) => this.client.PrepareRootfs({ containerId, image: imageRef }, cb));
    return { id: r!.containerId, rootfs: r!.rootfs, imageDigest: r!.imageDigest, chainIds: r!.chainIds };
  }

  async removeRootfs(containerId: string): Promise<void> {
    await unary((cb: Parameters<ImageServiceClient['RemoveRootfs']>[1]) => this.client.RemoveRootfs({ containerId }, cb));
  }

  async commit(req: CommitRequest): Promise<CommitResult> {
    const r = await unary((cb: Parameters<ImageServiceClient['Commit']>[1]) => this.client.Commit({
      containerId: req.containerId, name: req.name, author: req.author ?? '', comment: req.comment ?? '',
      changesJson: req.changes ? JSON.stringify(req.changes) : '',
    }, cb));
    return { record: imageFromWire(r!.image, 'CommitResponse.image'), layer: descriptorFromWire(r!.layer, 'CommitResponse.layer'), diffId: r!.diffId };
  }

  async prune(opts: PruneOptions = {}): Promise<PruneReport> {
    const r = await unary((cb: Parameters<ImageServiceClient['Prune']>[1]) => this.client.Prune(
      opts.minAgeMs === undefined ? {} : { minAgeMs: String(opts.minAgeMs) }, cb));
    return {
      removedBlobs: r!.removedBlobs.map((b) => ({ digest: b.digest, size: int(b.size, 'PruneResponse.removed_blobs.size') })),
      removedSnapshots: r!.removedSnapshots, reclaimedBytes: int(r!.reclaimedBytes, 'PruneResponse.reclaimed_bytes'),
      failures: r!.failures.map((f) => ({ what: f.what, error: f.error })),
    };
  }

  async diskUsage(): Promise<DiskUsage> {
    const r = await unary((cb: Parameters<ImageServiceClient['DiskUsage']>[1]) => this.client.DiskUsage({}, cb));
    return {
      images: r!.images.map((i) => ({
        name: i.name, digest: i.digest, contentBytes: int(i.contentBytes, 'ImageUsage.content_bytes'), snapshotBytes: int(i.snapshotBytes, 'ImageUsage.snapshot_bytes'),
      })),
      contentBytes: int(r!.contentBytes, 'DiskUsageResponse.content_bytes'), snapshotBytes: int(r!.snapshotBytes, 'DiskUsageResponse.snapshot_bytes'),
      containerBytes: int(r!.containerBytes, 'DiskUsageResponse.container_bytes'), reclaimableBytes: int(r!.reclaimableBytes, 'DiskUsageResponse.reclaimable_bytes'),
    };
  }
}
