/**
 * The gRPC RegistryService over any RegistryClient (normally the local one):
 * a thin adapter; EngineErrors become status codes here and nowhere else.
 */
import type { ServerErrorResponse } from '@grpc/grpc-js';
import { EngineError, grpcStatusOf } from '@tsrun/oci-spec';
import { loadProto, type ServiceRegistrar } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/registry.js';
import type { RegistryServiceHandlers } from '@tsrun/proto/generated/tsrun/registry/v1/RegistryService.js';
import { descriptorFromWire, platformFromWire, progressToWire, pullResultToWire, pushResultToWire } from './grpc-convert.js';
import type { RegistryClient } from './registry-client.js';

export const REGISTRY_PROTO = 'registry/v1/registry.proto';

function toStatus(err: unknown): ServerErrorResponse {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: grpcStatusOf(err), details: message });
}

function required(value: string, field: string): void {
  if (value === '') throw new EngineError('invalid_argument', `${field} is required`);
}

export function registryServiceHandlers(client: RegistryClient): RegistryServiceHandlers {
  return {
    Pull(call) {
      (async () => {
        required(call.request.reference, 'PullRequest.reference');
        const platform = platformFromWire(call.request.platform);
        const result = await client.pull(call.request.reference, {
          ...(platform && { platform }),
          onProgress: (e) => { if (!call.cancelled) call.write({ progress: progressToWire(e) }); },
        });
        call.write({ result: pullResultToWire(result) });
        call.end();
      })().catch((err: unknown) => call.emit('error', toStatus(err)));
    },
    Push(call) {
      (async () => {
        required(call.request.reference, 'PushRequest.reference');
        if (!call.request.manifest || call.request.manifest.digest === '') throw new EngineError('invalid_argument', 'PushRequest.manifest is required');
        const result = await client.push(call.request.reference, {
          manifest: descriptorFromWire(call.request.manifest, 'manifest'),
          mountFrom: call.request.mountFrom,
          onProgress: (e) => { if (!call.cancelled) call.write({ progress: progressToWire(e) }); },
        });
        call.write({ result: pushResultToWire(result) });
        call.end();
      })().catch((err: unknown) => call.emit('error', toStatus(err)));
    },
    Resolve(call, callback) {
      (async () => {
        required(call.request.reference, 'ResolveRequest.reference');
        const r = await client.resolve(call.request.reference);
        return { ...r, size: String(r.size) };
      })().then((r) => callback(null, r), (err: unknown) => callback(toStatus(err)));
    },
    Login(call, callback) {
      client.login(call.request.registry, call.request.username, call.request.password)
        .then(() => callback(null, {}), (err: unknown) => callback(toStatus(err)));
    },
    Logout(call, callback) {
      client.logout(call.request.registry)
        .then((removed) => callback(null, { removed }), (err: unknown) => callback(toStatus(err)));
    },
  };
}

/** Adds the RegistryService, served by `client`, to a gRPC server. */
export function addRegistryService(server: ServiceRegistrar, client: RegistryClient): void {
  const proto = loadProto<ProtoGrpcType>(REGISTRY_PROTO);
  server.addService(proto.tsrun.registry.v1.RegistryService.service, registryServiceHandlers(client));
}
