/**
 * The NetworkManager over gRPC: the same interface as BridgeNetworkManager, so
 * callers cannot tell which they hold. Status codes become EngineErrors.
 */
import { type ChannelCredentials, type ClientOptions, credentials as grpcCredentials, type ServiceError } from '@grpc/grpc-js';
import { EngineError, errorCodeFromGrpcStatus } from '@tsrun/oci-spec';
import { loadProto } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/network.js';
import type { NetworkServiceClient } from '@tsrun/proto/generated/tsrun/network/v1/NetworkService.js';
import { connectToWire, endpointFromWire, networkFromWire, portFromWire } from './grpc-convert.js';
import type { PortMapping } from './ports.js';
import { NETWORK_PROTO } from './server.js';
import type {
  ConnectRequest, CreateNetworkRequest, EndpointInfo, NetworkInfo, NetworkManager, PublishRequest, ReconcileReport,
} from './types.js';

function fromStatus(err: ServiceError): EngineError {
  return new EngineError(errorCodeFromGrpcStatus(err.code), err.details || err.message, { cause: err });
}

type Callback<T> = (err: ServiceError | null, res?: T) => void;

/** A unary call as a promise; a transport failure or an error status becomes an EngineError. */
function call<T>(start: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(fromStatus(err)) : resolve(res!)));
  });
}

export class GrpcNetworkManager implements NetworkManager {
  readonly #client: NetworkServiceClient;

  /** `address`: `unix:///run/tsrun/network.sock` or `127.0.0.1:port`. */
  constructor(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), options: ClientOptions = {}) {
    const proto = loadProto<ProtoGrpcType>(NETWORK_PROTO);
    this.#client = new proto.tsrun.network.v1.NetworkService(address, creds, options);
  }

  close(): void {
    this.#client.close();
  }

  async createNetwork(req: CreateNetworkRequest): Promise<NetworkInfo> {
    const res = await call<{ network: Parameters<typeof networkFromWire>[0] }>((cb) => this.#client.CreateNetwork({ ...req }, cb));
    return networkFromWire(res.network, `create network ${req.name}`);
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    const res = await call<{ networks: NonNullable<Parameters<typeof networkFromWire>[0]>[] }>((cb) => this.#client.ListNetworks({}, cb));
    return res.networks.map((n) => networkFromWire(n, 'list networks'));
  }

  async inspectNetwork(name: string): Promise<NetworkInfo> {
    const res = await call<{ network: Parameters<typeof networkFromWire>[0] }>((cb) => this.#client.InspectNetwork({ name }, cb));
    return networkFromWire(res.network, `inspect network ${name}`);
  }

  async removeNetwork(name: string): Promise<void> {
    await call((cb) => this.#client.RemoveNetwork({ name }, cb));
  }

  async connect(req: ConnectRequest): Promise<EndpointInfo> {
    const res = await call<{ endpoint: Parameters<typeof endpointFromWire>[0] | null }>((cb) => this.#client.Connect(connectToWire(req), cb));
    if (!res.endpoint) throw new EngineError('internal', `connect ${req.containerId} to network ${req.network}: the answer has no endpoint`);
    return endpointFromWire(res.endpoint);
  }

  async disconnect(network: string, containerId: string): Promise<void> {
    await call((cb) => this.#client.Disconnect({ network, containerId }, cb));
  }

  async publishPorts(req: PublishRequest): Promise<PortMapping[]> {
    const res = await call<{ mappings: Parameters<typeof portFromWire>[0][] }>((cb) => this.#client.PublishPorts({ ...req, ports: [...req.ports] }, cb));
    return res.mappings.map(portFromWire);
  }

  async unpublishPorts(containerId: string): Promise<void> {
    await call((cb) => this.#client.UnpublishPorts({ containerId }, cb));
  }

  reconcile(): Promise<ReconcileReport> {
    return call<ReconcileReport>((cb) => this.#client.Reconcile({}, cb));
  }
}
