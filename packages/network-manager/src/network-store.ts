import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { writeJsonAtomic } from './atomic-write.js';
import type { PortMapping } from './ports.js';
import type { EndpointInfo, NetworkInfo } from './types.js';

export interface NetworkRecord extends Omit<NetworkInfo, 'endpoints'> {
  readonly endpoints: Readonly<Record<string, EndpointInfo>>;
}

export interface PortRecord {
  readonly containerId: string;
  readonly network: string;
  readonly containerIp: string;
  readonly mappings: readonly PortMapping[];
}

const SAFE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

function safe(kind: string, name: string): string {
  if (!SAFE.test(name)) throw new EngineError('invalid_argument', `${kind} ${JSON.stringify(name)}: not a valid name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)`);
  return name;
}

/** Networks and published ports, one JSON file each under the data dir, written atomically. */
export class NetworkStore {
  readonly #networks: string;
  readonly #ports: string;
  readonly containersDir: string;

  constructor(dataDir: string) {
    this.#networks = join(dataDir, 'networks');
    this.#ports = join(dataDir, 'ports');
    this.containersDir = join(dataDir, 'containers');
  }

  static checkName(kind: string, name: string): string {
    return safe(kind, name);
  }

  networks(): NetworkRecord[] {
    if (!existsSync(this.#networks)) return [];
    return readdirSync(this.#networks).filter((f) => f.endsWith('.json')).sort()
      .map((f) => JSON.parse(readFileSync(join(this.#networks, f), 'utf8')) as NetworkRecord);
  }

  findNetwork(name: string): NetworkRecord | undefined {
    const file = join(this.#networks, `${safe('network', name)}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as NetworkRecord : undefined;
  }

  network(name: string): NetworkRecord {
    const n = this.findNetwork(name);
    if (!n) throw new EngineError('not_found', `network ${name}: not found`);
    return n;
  }

  saveNetwork(n: NetworkRecord): void {
    writeJsonAtomic(join(this.#networks, `${safe('network', n.name)}.json`), n);
  }

  deleteNetwork(name: string): void {
    rmSync(join(this.#networks, `${safe('network', name)}.json`), { force: true });
  }

  endpointsOf(containerId: string): EndpointInfo[] {
    return this.networks().flatMap((n) => (n.endpoints[containerId] ? [n.endpoints[containerId]] : []));
  }

  ports(): PortRecord[] {
    if (!existsSync(this.#ports)) return [];
    return readdirSync(this.#ports).filter((f) => f.endsWith('.json')).sort()
      .map((f) => JSON.parse(readFileSync(join(this.#ports, f), 'utf8')) as PortRecord);
  }

  findPorts(containerId: string): PortRecord | undefined {
    const file = join(this.#ports, `${safe('container', containerId)}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as PortRecord : undefined;
  }

  savePorts(p: PortRecord): void {
    writeJsonAtomic(join(this.#ports, `${safe('container', p.containerId)}.json`), p);
  }

  deletePorts(containerId: string): void {
    rmSync(join(this.#ports, `${safe('container', containerId)}.json`), { force: true });
  }

  filesDir(containerId: string): string {
    return join(this.containersDir, safe('container', containerId));
  }
}
