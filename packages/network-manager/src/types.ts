import type { PortMapping } from './ports.js';

export interface CreateNetworkRequest {
  readonly name: string;
  /** CIDR; required for user-defined networks */
  readonly subnet: string;
  readonly gateway?: string;
  readonly mtu?: number;
}

export interface NetworkInfo {
  readonly name: string;
  readonly id: string;
  readonly driver: 'bridge';
  readonly bridge: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly mtu: number;
  /** the default network: no name resolution between its members, cannot be removed */
  readonly isDefault: boolean;
  readonly created: string;
  readonly endpoints: readonly EndpointInfo[];
}

export interface ConnectRequest {
  readonly network: string;
  readonly containerId: string;
  /** the container's network namespace, e.g. /proc/<pid>/ns/net */
  readonly netnsPath: string;
  /** the name other members resolve (default: the first 12 characters of the id) */
  readonly name?: string;
  readonly aliases?: readonly string[];
  readonly hostname?: string;
  /** a static address */
  readonly ip?: string;
  /** the interface inside the container (default: the first free ethN) */
  readonly ifName?: string;
  /** nameservers for resolv.conf (default: the host's) */
  readonly dns?: readonly string[];
}

export interface EndpointInfo {
  readonly network: string;
  readonly containerId: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly hostname: string;
  readonly netnsPath: string;
  readonly ifName: string;
  readonly hostIf: string;
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string;
  readonly mac: string;
  readonly dns?: readonly string[];
  /** where /etc/hosts, /etc/resolv.conf and /etc/hostname are written for the runtime to bind-mount */
  readonly filesDir: string;
}

export interface PublishRequest {
  readonly containerId: string;
  /** Docker -p syntax: [hostIP:]hostPort[-end]:containerPort[-end][/tcp|udp] */
  readonly ports: readonly string[];
  /** which of the container's networks the traffic goes to (default: the first it joined) */
  readonly network?: string;
}

export interface ReconcileReport {
  readonly removedLinks: readonly string[];
  readonly recreatedBridges: readonly string[];
  readonly droppedEndpoints: readonly string[];
  readonly releasedAddresses: readonly string[];
}

/** The network manager's contract: the local implementation and the gRPC client both implement it. */
export interface NetworkManager {
  createNetwork(req: CreateNetworkRequest): Promise<NetworkInfo>;
  listNetworks(): Promise<NetworkInfo[]>;
  inspectNetwork(name: string): Promise<NetworkInfo>;
  removeNetwork(name: string): Promise<void>;
  connect(req: ConnectRequest): Promise<EndpointInfo>;
  disconnect(network: string, containerId: string): Promise<void>;
  publishPorts(req: PublishRequest): Promise<PortMapping[]>;
  unpublishPorts(containerId: string): Promise<void>;
  reconcile(): Promise<ReconcileReport>;
}
