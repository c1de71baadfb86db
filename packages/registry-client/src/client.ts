/**
 * The RegistryClient over gRPC: the same interface as LocalRegistryClient,
 * so callers cannot tell which they hold. Status codes become EngineErrors.
 */
import { type ChannelCredentials, type ClientOptions, credentials as grpcCredentials, type ServiceError } from '@grpc/grpc-js';
import { EngineError, errorCodeFromGrpcStatus } from '@tsrun/oci-spec';
import { loadProto } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/registry.js';
import type { PullResponse__Output } from '@tsrun/proto/generated/tsrun/registry/v1/PullResponse.js';
import type { PushResponse__Output } from '@tsrun/proto/generated/tsrun/registry/v1/PushResponse.js';
import type { RegistryServiceClient } from '@tsrun/proto/generated/tsrun/registry/v1/RegistryService.js';
import { descriptorToWire, platformToWire, progressFromWire, pullResultFromWire, pushResultFromWire } from './grpc-convert.js';
import type { ProgressListener } from './progress.js';
import type { PullResult } from './pull.js';
import type { PushResult } from './push.js';
import type { ClientPullOptions, ClientPushOptions, RegistryClient, ResolveResult } from './registry-client.js';
import { REGISTRY_PROTO } from './server.js';

function fromStatus(err: ServiceError): EngineError {
  return new EngineError(errorCodeFromGrpcStatus(err.code), err.details || err.message, { cause: err });
}

/** Reads a server stream of progress events ending in one result. */
function streamResult<R, W extends { progress?: Parameters<typeof progressFromWire>[0] | null; result?: R | null }>(
  stream: NodeJS.EventEmitter, what: string, onProgress: ProgressListener | undefined,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let result: R | undefined;
    stream.on('data', (msg: W) => {
      if (msg.progress) onProgress?.(progressFromWire(msg.progress));
      if (msg.result) result = msg.result;
    });
    stream.on('error', (err: ServiceError) => reject(fromStatus(err)));
    stream.on('end', () => {
      if (result === undefined) reject(new EngineError('internal', `${what}: the stream ended without a result`));
      else resolve(result);
    });
  });
}

export class GrpcRegistryClient implements RegistryClient {
  private readonly client: RegistryServiceClient;

  /** `address`: `unix:///run/tsrun/registry.sock` or `127.0.0.1:port`. */
  constructor(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), options: ClientOptions = {}) {
    const proto = loadProto<ProtoGrpcType>(REGISTRY_PROTO);
    this.client = new proto.tsrun.registry.v1.RegistryService(address, creds, options);
  }

  close(): void {
    this.client.close();
  }

  async pull(reference: string, opts: ClientPullOptions = {}): Promise<PullResult> {
    const stream = this.client.Pull({ reference, ...(opts.platform && { platform: platformToWire(opts.platform) }) });
    const wire = await streamResult<NonNullable<PullResponse__Output['result']>, PullResponse__Output>(stream, `pull ${reference}`, opts.onProgress);
    return pullResultFromWire(wire);
  }

  async push(reference: string, opts: ClientPushOptions): Promise<PushResult> {
    const stream = this.client.Push({ reference, manifest: descriptorToWire(opts.manifest), mountFrom: [...(opts.mountFrom ?? [])] });
    const wire = await streamResult<NonNullable<PushResponse__Output['result']>, PushResponse__Output>(stream, `push ${reference}`, opts.onProgress);
    return pushResultFromWire(wire);
  }

  resolve(reference: string): Promise<ResolveResult> {
    return new Promise((resolve, reject) => {
      this.client.Resolve({ reference }, (err, res) => {
        if (err) reject(fromStatus(err));
        else resolve({ reference: res!.reference, digest: res!.digest, mediaType: res!.mediaType, size: Number(res!.size) });
      });
    });
  }

  login(registry: string, username: string, password: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.Login({ registry, username, password }, (err) => (err ? reject(fromStatus(err)) : resolve()));
    });
  }

  logout(registry: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.client.Logout({ registry }, (err, res) => (err ? reject(fromStatus(err)) : resolve(res!.removed)));
    });
  }
}
