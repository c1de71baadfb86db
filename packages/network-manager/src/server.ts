/**
 * The gRPC NetworkService over any NetworkManager (normally BridgeNetworkManager):
 * a thin adapter; EngineErrors become status codes here and nowhere else.
 */
import type { sendUnaryData, ServerErrorResponse, ServerUnaryCall } from '@grpc/grpc-js';
import { grpcStatusOf } from '@tsrun/oci-spec';
import { loadProto, type ServiceRegistrar } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/network.js';
import type { NetworkServiceHandlers } from '@tsrun/proto/generated/tsrun/network/v1/NetworkService.js';
import { connectFromWire, endpointToWire, networkToWire, portToWire } from './grpc-convert.js';
import type { NetworkManager } from './types.js';

export const NETWORK_PROTO = 'network/v1/network.proto';

function toStatus(err: unknown): ServerErrorResponse {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: grpcStatusOf(err), details: message });
}

/** One unary handler: run `fn` on the request, answer its result or its error as a status. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve().then(() => fn(call.request)).then((res) => callback(null, res), (err: unknown) => callback(toStatus(err)));
  };
}

export function networkServiceHandlers(mgr: NetworkManager): NetworkServiceHandlers {
  return {
    CreateNetwork: unary(async (r) => ({
      network: networkToWire(await mgr.createNetwork({ name: r.name, subnet: r.subnet, ...(r.gateway && { gateway: r.gateway }), ...(r.mtu && { mtu: r.mtu }) })),
    })),
    ListNetworks: unary(async () => ({ networks: (await mgr.listNetworks()).map(networkToWire) })),
    InspectNetwork: unary(async (r) => ({ network: networkToWire(await mgr.inspectNetwork(r.name)) })),
    RemoveNetwork: unary(async (r) => {
      await mgr.removeNetwork(r.name);
      return {};
    }),
    Connect: unary(async (r) => ({ endpoint: endpointToWire(await mgr.connect(connectFromWire(r))) })),
    Disconnect: unary(async (r) => {
      await mgr.disconnect(r.network, r.containerId);
      return {};
    }),
    PublishPorts: unary(async (r) => ({
      mappings: (await mgr.publishPorts({ containerId: r.containerId, ports: r.ports, ...(r.network && { network: r.network }) })).map(portToWire),
    })),
    UnpublishPorts: unary(async (r) => {
      await mgr.unpublishPorts(r.containerId);
      return {};
    }),
    Reconcile: unary(async () => {
      const report = await mgr.reconcile();
      return {
        removedLinks: [...report.removedLinks], recreatedBridges: [...report.recreatedBridges],
        droppedEndpoints: [...report.droppedEndpoints], releasedAddresses: [...report.releasedAddresses],
      };
    }),
  };
}

/** Adds the NetworkService, served by `mgr`, to a gRPC server. */
export function addNetworkService(server: ServiceRegistrar, mgr: NetworkManager): void {
  const proto = loadProto<ProtoGrpcType>(NETWORK_PROTO);
  server.addService(proto.tsrun.network.v1.NetworkService.service, networkServiceHandlers(mgr));
}
