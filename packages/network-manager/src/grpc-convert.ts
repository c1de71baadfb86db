import { EngineError } from '@tsrun/oci-spec';
import type { ConnectRequest as WireConnectRequest } from '@tsrun/proto/generated/tsrun/network/v1/ConnectRequest.js';
import type { Endpoint, Endpoint__Output } from '@tsrun/proto/generated/tsrun/network/v1/Endpoint.js';
import type { Network, Network__Output } from '@tsrun/proto/generated/tsrun/network/v1/Network.js';
import type { PortMapping as WirePortMapping, PortMapping__Output } from '@tsrun/proto/generated/tsrun/network/v1/PortMapping.js';
import type { PortMapping } from './ports.js';
import type { ConnectRequest, EndpointInfo, NetworkInfo } from './types.js';

/**
 * The network manager's types to and from their protobuf form. Optional strings
 * travel as '' and optional numbers as 0 (the manager treats both as unset);
 * nameservers travel in a message, so that "none given" and "empty" stay apart.
 */

export function endpointToWire(e: EndpointInfo): Endpoint {
  return { ...e, aliases: [...e.aliases], dns: e.dns ? { servers: [...e.dns] } : null };
}

export function endpointFromWire(w: Endpoint__Output): EndpointInfo {
  const { dns, ...rest } = w;
  return { ...rest, ...(dns ? { dns: dns.servers } : {}) };
}

export function networkToWire(n: NetworkInfo): Network {
  return { ...n, endpoints: n.endpoints.map(endpointToWire) };
}

export function networkFromWire(w: Network__Output | null, what: string): NetworkInfo {
  if (!w) throw new EngineError('internal', `${what}: the answer has no network`);
  if (w.driver !== 'bridge') throw new EngineError('internal', `${what}: unknown driver ${JSON.stringify(w.driver)}`);
  return { ...w, driver: 'bridge', endpoints: w.endpoints.map(endpointFromWire) };
}

export function connectToWire(r: ConnectRequest): WireConnectRequest {
  return { ...r, aliases: [...(r.aliases ?? [])], dns: r.dns ? { servers: [...r.dns] } : null };
}

export function connectFromWire(w: Required<Omit<WireConnectRequest, 'dns'>> & { dns: { servers: string[] } | null }): ConnectRequest {
  const { dns, ...rest } = w;
  const dropEmpty = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '')) as unknown as Omit<ConnectRequest, 'dns'>;
  return { ...dropEmpty, network: w.network, containerId: w.containerId, netnsPath: w.netnsPath, ...(dns ? { dns: dns.servers } : {}) };
}

export function portToWire(m: PortMapping): WirePortMapping {
  return { ...m };
}

export function portFromWire(w: PortMapping__Output): PortMapping {
  if (w.protocol !== 'tcp' && w.protocol !== 'udp') throw new EngineError('internal', `port mapping: unknown protocol ${JSON.stringify(w.protocol)}`);
  return { hostIp: w.hostIp, hostPort: w.hostPort, containerPort: w.containerPort, protocol: w.protocol };
}
