/**
 * The gRPC ImageService over any ImageStore (normally LocalImageStore): a thin
 * adapter; EngineErrors become status codes here and nowhere else.
 */
import type { ServerErrorResponse, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { EngineError, grpcStatusOf } from '@tsrun/oci-spec';
import { loadProto, type ServiceRegistrar } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/images.js';
import type { ImageServiceHandlers } from '@tsrun/proto/generated/tsrun/images/v1/ImageService.js';
import { descriptorToWire, imageToWire, int, platformFromWire } from './grpc-convert.js';
import type { ArchiveFormat, ImageStore } from './types.js';

export const IMAGES_PROTO = 'images/v1/images.proto';

function toStatus(err: unknown): ServerErrorResponse {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: grpcStatusOf(err), details: message });
}

function required(value: string, field: string): string {
  if (value === '') throw new EngineError('invalid_argument', `${field} is required`);
  return value;
}

function format(value: string, field: string): ArchiveFormat {
  if (value !== 'oci' && value !== 'docker') throw new EngineError('invalid_argument', `${field}: ${JSON.stringify(value)} must be "oci" or "docker"`);
  return value;
}

function changesOf(json: string): Record<string, unknown> | undefined {
  if (json === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new EngineError('invalid_argument', `CommitRequest.changes_json: not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EngineError('invalid_argument', 'CommitRequest.changes_json: must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** One unary handler: runs `fn` on the request and maps its result or error. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve().then(() => fn(call.request)).then((r) => callback(null, r), (err: unknown) => callback(toStatus(err)));
  };
}

export function imageServiceHandlers(store: ImageStore): ImageServiceHandlers {
  return {
    List: unary(async () => ({ images: (await store.list()).map(imageToWire) })),
    Get: unary(async (req) => {
      const d = await store.get(required(req.name, 'GetRequest.name'));
      return {
        image: imageToWire(d.record), manifestDigest: d.manifestDigest, configDigest: d.configDigest,
        layers: d.layers.map(descriptorToWire), diffIds: d.diffIds, chainIds: d.chainIds, size: String(d.size),
        configJson: JSON.stringify(d.config),
      };
    }),
    Tag: unary(async (req) => ({ image: imageToWire(await store.tag(required(req.source, 'TagRequest.source'), required(req.name, 'TagRequest.name'))) })),
    Remove: unary(async (req) => ({ image: imageToWire(await store.remove(required(req.name, 'RemoveRequest.name'), { force: req.force })) })),
    Import: unary(async (req) => ({
      images: (await store.importImages({
        path: required(req.path, 'ImportRequest.path'), format: format(req.format, 'ImportRequest.format'),
        ...(req.refName && { refName: req.refName }), ...(req.repository && { repository: req.repository }),
      })).map(imageToWire),
    })),
    Export: unary(async (req) => {
      const platform = platformFromWire(req.platform);
      if (req.names.length === 0) throw new EngineError('invalid_argument', 'ExportRequest.names: at least one image is required');
      await store.exportImages({ names: req.names, path: required(req.path, 'ExportRequest.path'), format: format(req.format, 'ExportRequest.format'), ...(platform && { platform }) });
      return {};
    }),
    PrepareRootfs: unary(async (req) => {
      const p = await store.prepareRootfs(required(req.containerId, 'PrepareRootfsRequest.container_id'), required(req.image, 'PrepareRootfsRequest.image'));
      return { containerId: p.id, rootfs: p.rootfs, imageDigest: p.imageDigest, chainIds: p.chainIds };
    }),
    RemoveRootfs: unary(async (req) => {
      await store.removeRootfs(required(req.containerId, 'RemoveRootfsRequest.container_id'));
      return {};
    }),
    Commit: unary(async (req) => {
      const changes = changesOf(req.changesJson);
      const r = await store.commit({
        containerId: required(req.containerId, 'CommitRequest.container_id'), name: required(req.name, 'CommitRequest.name'),
        ...(req.author && { author: req.author }), ...(req.comment && { comment: req.comment }), ...(changes && { changes }),
      });
      return { image: imageToWire(r.record), layer: descriptorToWire(r.layer), diffId: r.diffId };
    }),
    Prune: unary(async (req) => {
      const r = await store.prune(req.minAgeMs === undefined ? {} : { minAgeMs: int(req.minAgeMs, 'PruneRequest.min_age_ms') });
      return {
        removedBlobs: r.removedBlobs.map((b) => ({ digest: b.digest, size: String(b.size) })),
        removedSnapshots: r.removedSnapshots, reclaimedBytes: String(r.reclaimedBytes), failures: r.failures,
      };
    }),
    DiskUsage: unary(async () => {
      const u = await store.diskUsage();
      return {
        images: u.images.map((i) => ({ ...i, contentBytes: String(i.contentBytes), snapshotBytes: String(i.snapshotBytes) })),
        contentBytes: String(u.contentBytes), snapshotBytes: String(u.snapshotBytes),
        containerBytes: String(u.containerBytes), reclaimableBytes: String(u.reclaimableBytes),
      };
    }),
  };
}

/** Adds the ImageService, served by `store`, to a gRPC server. */
export function addImageService(server: ServiceRegistrar, store: ImageStore): void {
  const proto = loadProto<ProtoGrpcType>(IMAGES_PROTO);
  server.addService(proto.tsrun.images.v1.ImageService.service, imageServiceHandlers(store));
}
