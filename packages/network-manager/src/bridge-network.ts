import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EngineError } from '@tsrun/oci-spec';
import { readHostResolvConf, removeContainerFiles, renderHosts, renderResolvConf, writeContainerFiles } from './dns-files.js';
import { Ipam } from './ipam.js';
import { formatIpv4, macFor, parseIpv4 } from './ipv4.js';
import {
  attachContainerScript, bridgeUpScript, deleteLinks, deleteLinksWith, runAttach, runIpBatch, type VethSpec,
} from './netlink-batch.js';
import { NetworkStore, type NetworkRecord } from './network-store.js';
import { selectFirewall, type FirewallBackend, type FirewallKind } from './firewall.js';
import { reconcileState } from './reconcile.js';
import { ResidentIp, ResidentIpDiedError } from './resident-ip.js';
import { checkPortConflicts, parsePortSpec, type PortMapping } from './ports.js';
import { inNetns, runChecked } from './run-command.js';
import type {
  ConnectRequest, CreateNetworkRequest, EndpointInfo, NetworkInfo, NetworkManager, PublishRequest, ReconcileReport,
} from './types.js';

export interface BridgeManagerOptions {
  /** where networks, address pools, published ports and per-container files are kept */
  readonly dataDir: string;
  /** the namespace that holds bridges, host veth ends and rules (undefined: this process's own, i.e. the host) */
  readonly hostNetns?: string;
  readonly defaultNetwork?: string;
  readonly defaultBridge?: string;
  readonly defaultSubnet?: string;
  readonly mtu?: number;
  /** the file the containers' resolv.conf is derived from */
  readonly hostResolvConf?: string;
  /** where port-publishing rules go; auto (the default): nftables when `nft` works, else iptables */
  readonly firewall?: FirewallKind | 'auto';
}

/** The local implementation: Linux bridges, veth pairs, a persistent IPAM and the engine's own firewall rules (nftables or iptables). */
export class BridgeNetworkManager implements NetworkManager {
  readonly #o: Required<Omit<BridgeManagerOptions, 'hostNetns' | 'firewall'>> & { hostNetns?: string; firewall?: FirewallKind | 'auto' };
  readonly #store: NetworkStore;
  readonly #ipam: Ipam;
  /** attach and detach talk to the kernel through this one resident `ip` in the host namespace */
  readonly #hostIp: ResidentIp;
  #queue: Promise<unknown> = Promise.resolve();
  #firewall: FirewallBackend | undefined;

  constructor(options: BridgeManagerOptions) {
    this.#o = {
      defaultNetwork: 'bridge', defaultBridge: 'tsd0', defaultSubnet: '172.30.0.0/16', mtu: 1500,
      hostResolvConf: '/etc/resolv.conf', ...options,
    };
    this.#store = new NetworkStore(options.dataDir);
    this.#ipam = new Ipam(options.dataDir);
    this.#hostIp = new ResidentIp(options.hostNetns);
  }

  /** Ends the resident `ip` process (it also ends by itself when this process exits). */
  close(): Promise<void> {
    return this.#serial(async () => this.#hostIp.close());
  }

  /** The pid of the resident `ip` process, while one runs. */
  get residentIpPid(): number | undefined {
    return this.#hostIp.pid;
  }

  /** Operations run one at a time: each reads and rewrites the store. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Creates the default network if it does not exist yet. */
  init(): Promise<NetworkInfo> {
    return this.#serial(async () => {
      const existing = this.#store.findNetwork(this.#o.defaultNetwork);
      if (existing) return toInfo(existing);
      return this.#create({ name: this.#o.defaultNetwork, subnet: this.#o.defaultSubnet }, this.#o.defaultBridge, true);
    });
  }

  createNetwork(req: CreateNetworkRequest): Promise<NetworkInfo> {
    return this.#serial(() => {
      const id = randomBytes(32).toString('hex');
      return this.#create(req, `tsb-${id.slice(0, 8)}`, false, id);
    });
  }

  async #create(req: CreateNetworkRequest, bridge: string, isDefault: boolean, id = randomBytes(32).toString('hex')): Promise<NetworkInfo> {
    NetworkStore.checkName('network', req.name);
    if (this.#store.findNetwork(req.name)) throw new EngineError('already_exists', `create network ${req.name}: already exists`);
    if (!req.subnet) throw new EngineError('invalid_argument', `create network ${req.name}: subnet is required`);
    const mtu = req.mtu || this.#o.mtu;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new EngineError('invalid_argument', `create network ${req.name}: mtu ${mtu} is not 68-65535`);
    const { subnet, gateway } = this.#ipam.checkPool(req.name, req.subnet, req.gateway);
    const prefix = subnet.prefix;
    const gw = formatIpv4(gateway);
    await runIpBatch(`create network ${req.name}: bridge ${bridge}`, this.#o.hostNetns, bridgeUpScript({ bridge, gateway: gw, prefix, mtu }));
    this.#hostIp.close();
    try {
      await this.#sysctls(bridge);
      const pool = this.#ipam.createPool(req.name, req.subnet, req.gateway);
      const record: NetworkRecord = {
        name: req.name, id, driver: 'bridge', bridge, subnet: pool.subnet, gateway: pool.gateway, mtu, isDefault,
        created: new Date().toISOString(), endpoints: {},
      };
      this.#store.saveNetwork(record);
      await this.#applyRules();
      return toInfo(record);
    } catch (err) {
      this.#store.deleteNetwork(req.name);
      if (this.#ipam.hasPool(req.name)) this.#ipam.removePool(req.name, true);
      await deleteLinks(`create network ${req.name}: undo`, this.#o.hostNetns, [bridge]);
      throw err;
    }
  }

  /** Forwarding for the bridges, and route_localnet so that 127.0.0.1:hostPort can be DNATed to a container. */
  async #sysctls(bridge: string): Promise<void> {
    await runChecked(`bridge ${bridge}: sysctls`, inNetns(this.#o.hostNetns, [
      'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', `net.ipv4.conf.${bridge}.route_localnet=1`,
    ]));
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    return this.#store.networks().map(toInfo);
  }

  async inspectNetwork(name: string): Promise<NetworkInfo> {
    return toInfo(this.#store.network(name));
  }

  removeNetwork(name: string): Promise<void> {
    return this.#serial(async () => {
      const n = this.#store.network(name);
      if (n.isDefault) throw new EngineError('failed_precondition', `remove network ${name}: the default network cannot be removed`);
      const attached = Object.keys(n.endpoints);
      if (attached.length > 0) {
        throw new EngineError('failed_precondition', `remove network ${name}: ${attached.length} container(s) still attached (${attached.join(', ')})`);
      }
      await deleteLinks(`remove network ${name}: bridge ${n.bridge}`, this.#o.hostNetns, [n.bridge]);
      this.#hostIp.close();
      this.#ipam.removePool(name, true);
      this.#store.deleteNetwork(name);
      await this.#applyRules();
    });
  }

  connect(req: ConnectRequest): Promise<EndpointInfo> {
    return this.#serial(async () => {
      const n = this.#store.network(req.network);
      NetworkStore.checkName('container', req.containerId);
      const what = `connect ${req.containerId} to network ${n.name}`;
      if (n.endpoints[req.containerId]) throw new EngineError('already_exists', `${what}: already connected`);
      if (/\s/.test(req.netnsPath)) throw new EngineError('invalid_argument', `${what}: netns ${JSON.stringify(req.netnsPath)}: a path with white space is not supported`);
      if (!req.netnsPath || !existsSync(req.netnsPath)) throw new EngineError('invalid_argument', `${what}: netns ${JSON.stringify(req.netnsPath)} does not exist`);
      const others = this.#store.endpointsOf(req.containerId);
      const ifName = req.ifName || firstFree(others.map((e) => e.ifName));
      if (others.some((e) => e.ifName === ifName)) throw new EngineError('already_exists', `${what}: interface ${ifName} already in use`);
      const alloc = this.#ipam.allocate(n.name, req.containerId, req.ip);
      const hostIf = `tsv${createHash('sha256').update(`${n.name}\0${req.containerId}`).digest('hex').slice(0, 8)}`;
      const ep: EndpointInfo = {
        network: n.name, containerId: req.containerId, name: req.name || req.containerId.slice(0, 12),
        aliases: [...(req.aliases ?? [])], hostname: req.hostname || others[0]?.hostname || req.containerId.slice(0, 12),
        netnsPath: req.netnsPath, ifName, hostIf, address: alloc.address, prefix: alloc.prefix, gateway: alloc.gateway,
        mac: macFor(parseIpv4(alloc.address, 'address')), filesDir: this.#store.filesDir(req.containerId),
        ...(req.dns ?? others[0]?.dns ? { dns: [...(req.dns ?? others[0]?.dns ?? [])] } : {}),
      };
      const veth: VethSpec = {
        hostIf, containerIf: ifName, hostNetnsRef: this.#o.hostNetns ?? String(process.pid), bridge: n.bridge, mac: ep.mac, mtu: n.mtu,
      };
      const containerScript = attachContainerScript(veth, {
        address: ep.address, prefix: ep.prefix, gateway: ep.gateway, defaultRoute: others.length === 0,
      });
      try {
        try {
          await runAttach(what, this.#hostIp, veth, req.netnsPath, containerScript);
        } catch (err) {
          // the resident process died under this batch (what it did is unknown): undo, and once more with a new one
          if (!(err instanceof ResidentIpDiedError)) throw err;
          await deleteLinks(`${what}: undo`, this.#o.hostNetns, [hostIf]);
          await runAttach(what, this.#hostIp, veth, req.netnsPath, containerScript);
        }
      } catch (err) {
        await deleteLinks(`${what}: undo`, this.#o.hostNetns, [hostIf]);
        this.#ipam.release(n.name, req.containerId);
        throw err;
      }
      this.#store.saveNetwork({ ...n, endpoints: { ...n.endpoints, [req.containerId]: ep } });
      this.#writeFilesFor(n.name, req.containerId);
      return ep;
    });
  }

  disconnect(network: string, containerId: string): Promise<void> {
    return this.#serial(async () => {
      const n = this.#store.network(network);
      const ep = n.endpoints[containerId];
      if (!ep) throw new EngineError('not_found', `disconnect ${containerId} from network ${network}: not connected`);
      const ports = this.#store.findPorts(containerId);
      if (ports?.network === network) {
        this.#store.deletePorts(containerId);
        await this.#applyRules();
      }
      await deleteLinksWith(this.#hostIp, `disconnect ${containerId} from network ${network}`, [ep.hostIf]);
      this.#ipam.release(network, containerId);
      const endpoints = { ...n.endpoints };
      delete endpoints[containerId];
      this.#store.saveNetwork({ ...n, endpoints });
      this.#writeFilesFor(network, containerId);
    });
  }

  publishPorts(req: PublishRequest): Promise<PortMapping[]> {
    return this.#serial(async () => {
      const eps = this.#store.endpointsOf(req.containerId);
      const ep = req.network ? eps.find((e) => e.network === req.network) : eps[0];
      if (!ep) throw new EngineError('not_found', `publish ports of ${req.containerId}: not connected to ${req.network ? `network ${req.network}` : 'any network'}`);
      const wanted = req.ports.flatMap(parsePortSpec);
      const before = this.#store.findPorts(req.containerId);
      if (before && before.network !== ep.network) {
        throw new EngineError('failed_precondition', `publish ports of ${req.containerId}: its ports already go to network ${before.network}`);
      }
      const published = this.#store.ports().flatMap((p) => p.mappings.map((mapping) => ({ owner: p.containerId, mapping })));
      checkPortConflicts(wanted, published);
      this.#store.savePorts({ containerId: req.containerId, network: ep.network, containerIp: ep.address, mappings: [...(before?.mappings ?? []), ...wanted] });
      try {
        await this.#applyRules();
      } catch (err) {
        if (before) this.#store.savePorts(before); else this.#store.deletePorts(req.containerId);
        throw err;
      }
      return wanted;
    });
  }

  unpublishPorts(containerId: string): Promise<void> {
    return this.#serial(async () => {
      if (!this.#store.findPorts(containerId)) return;
      this.#store.deletePorts(containerId);
      await this.#applyRules();
    });
  }

  reconcile(): Promise<ReconcileReport> {
    return this.#serial(async () => {
      const report = await reconcileState({ store: this.#store, ipam: this.#ipam, hostNetns: this.#o.hostNetns, sysctls: (b) => this.#sysctls(b) });
      this.#hostIp.close();
      for (const containerId of report.droppedEndpoints) this.#writeFilesFor(undefined, containerId);
      await this.#applyRules();
      return report;
    });
  }

  /** The firewall backend in use (chosen on first use: the `firewall` option, or auto-detected). */
  async firewallKind(): Promise<FirewallKind> {
    return (await this.#backend()).kind;
  }

  async #backend(): Promise<FirewallBackend> {
    this.#firewall ??= await selectFirewall(this.#o.firewall, this.#o.hostNetns);
    return this.#firewall;
  }

  /** Replaces the engine's firewall rules with ones rendered from the store, in one transaction. */
  async #applyRules(): Promise<void> {
    const bridges = this.#store.networks().map((n) => ({ bridge: n.bridge, subnet: n.subnet }));
    const ports = this.#store.ports().flatMap((p) => p.mappings.map((mapping) => ({ mapping, containerIp: p.containerIp })));
    await (await this.#backend()).apply({ bridges, ports });
  }

  /** Rewrites the files of `containerId` and, on a user-defined network, of every other member. */
  #writeFilesFor(network: string | undefined, containerId: string): void {
    const n = network === undefined ? undefined : this.#store.findNetwork(network);
    const members = n && !n.isDefault ? Object.keys(n.endpoints) : [];
    const hostResolv = readHostResolvConf(this.#o.hostResolvConf);
    for (const id of new Set([containerId, ...members])) {
      const mine = this.#store.endpointsOf(id);
      const dir = this.#store.filesDir(id);
      if (mine.length === 0) {
        removeContainerFiles(dir);
        continue;
      }
      const self = mine.map((e) => ({ ip: e.address, names: [e.hostname, e.name, ...e.aliases] }));
      const peers = this.#store.networks().filter((net) => !net.isDefault && net.endpoints[id])
        .flatMap((net) => Object.values(net.endpoints).filter((e) => e.containerId !== id))
        .map((e) => ({ ip: e.address, names: [e.name, ...e.aliases] }));
      writeContainerFiles(dir, { hostname: mine[0]!.hostname, hosts: renderHosts(self, peers), resolvConf: renderResolvConf(hostResolv, mine[0]!.dns) });
    }
  }
}

function firstFree(used: readonly string[]): string {
  for (let i = 0; ; i++) if (!used.includes(`eth${i}`)) return `eth${i}`;
}

function toInfo(n: NetworkRecord): NetworkInfo {
  return { ...n, endpoints: Object.values(n.endpoints) };
}
