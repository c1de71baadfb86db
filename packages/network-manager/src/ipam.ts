import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { writeJsonAtomic } from './atomic-write.js';
import {
  broadcastOf, formatIpv4, formatSubnet, isHostAddress, parseIpv4, parseSubnet, subnetContains, subnetsOverlap,
  type Subnet,
} from './ipv4.js';

/** One network's address pool as stored on disk (one JSON file per network). */
export interface PoolRecord {
  readonly network: string;
  readonly subnet: string;
  readonly gateway: string;
  /** address -> owner (a container id) */
  readonly allocations: Record<string, string>;
  /** the last address handed out: allocation goes round the pool so that a released address is not reused at once */
  readonly last: string;
}

export interface Allocation {
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

/**
 * Address management with a persistent store: every change is written (atomically)
 * before it is returned, so a restarted daemon reading the same dir never hands out
 * an address twice.
 */
export class Ipam {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'ipam');
  }

  #file(network: string): string {
    if (!NAME.test(network)) throw new EngineError('invalid_argument', `ipam: network name ${JSON.stringify(network)} is not valid`);
    return join(this.#dir, `${network}.json`);
  }

  pools(): PoolRecord[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.pool(f.slice(0, -5)));
  }

  pool(network: string): PoolRecord {
    const file = this.#file(network);
    if (!existsSync(file)) throw new EngineError('not_found', `ipam: network ${network}: no address pool`);
    return JSON.parse(readFileSync(file, 'utf8')) as PoolRecord;
  }

  hasPool(network: string): boolean {
    return existsSync(this.#file(network));
  }

  /** Validates a subnet (and gateway) against the existing pools without creating anything. */
  checkPool(network: string, subnetText: string, gatewayText?: string): { subnet: Subnet; gateway: number } {
    const subnet = parseSubnet(subnetText);
    if (this.hasPool(network)) throw new EngineError('already_exists', `ipam: network ${network}: already has a pool`);
    for (const other of this.pools()) {
      if (subnetsOverlap(subnet, parseSubnet(other.subnet))) {
        throw new EngineError('invalid_argument', `subnet ${formatSubnet(subnet)}: overlaps ${other.subnet} of network ${other.network}`);
      }
    }
    const gateway = gatewayText === undefined || gatewayText === '' ? subnet.base + 1 : parseIpv4(gatewayText, 'gateway');
    if (!isHostAddress(subnet, gateway)) {
      throw new EngineError('invalid_argument', `gateway ${formatIpv4(gateway)}: not a host address of subnet ${formatSubnet(subnet)}`);
    }
    return { subnet, gateway };
  }

  createPool(network: string, subnetText: string, gatewayText?: string): PoolRecord {
    const { subnet, gateway } = this.checkPool(network, subnetText, gatewayText);
    const record: PoolRecord = {
      network, subnet: formatSubnet(subnet), gateway: formatIpv4(gateway), allocations: {}, last: formatIpv4(gateway),
    };
    writeJsonAtomic(this.#file(network), record);
    return record;
  }

  /** Removes a pool; refused while addresses are allocated from it unless `force` (reconcile of a vanished network). */
  removePool(network: string, force = false): void {
    const pool = this.pool(network);
    const owners = Object.values(pool.allocations);
    if (owners.length > 0 && !force) {
      throw new EngineError('failed_precondition', `ipam: network ${network}: ${owners.length} address(es) still allocated (${owners.join(', ')})`);
    }
    rmSync(this.#file(network), { force: true });
  }

  /** Allocates the next free address, or `requested` (a static address) when given. */
  allocate(network: string, owner: string, requested?: string): Allocation {
    const pool = this.pool(network);
    const subnet = parseSubnet(pool.subnet);
    const gateway = parseIpv4(pool.gateway, 'gateway');
    const taken = new Set(Object.keys(pool.allocations).map((a) => parseIpv4(a, 'address')));
    taken.add(gateway);
    let ip: number;
    if (requested !== undefined && requested !== '') {
      ip = parseIpv4(requested, 'ip');
      if (!subnetContains(subnet, ip)) {
        throw new EngineError('invalid_argument', `ip ${requested}: outside subnet ${pool.subnet} of network ${network}`);
      }
      if (!isHostAddress(subnet, ip)) {
        throw new EngineError('invalid_argument', `ip ${requested}: the ${ip === subnet.base ? 'network' : 'broadcast'} address of ${pool.subnet}`);
      }
      if (taken.has(ip)) {
        const holder = ip === gateway ? 'the gateway' : pool.allocations[requested];
        throw new EngineError('already_exists', `ip ${requested}: already in use on network ${network} (by ${holder})`);
      }
    } else {
      const found = nextFree(subnet, parseIpv4(pool.last, 'last'), taken);
      if (found === undefined) {
        throw new EngineError('resource_exhausted', `ipam: network ${network}: no free address left in ${pool.subnet}`);
      }
      ip = found;
    }
    const address = formatIpv4(ip);
    writeJsonAtomic(this.#file(network), {
      ...pool, allocations: { ...pool.allocations, [address]: owner }, last: requested ? pool.last : address,
    } satisfies PoolRecord);
    return { address, prefix: subnet.prefix, gateway: pool.gateway };
  }

  /** Releases every address `owner` holds on `network`; returns them (none is not an error: release is idempotent). */
  release(network: string, owner: string): string[] {
    const pool = this.pool(network);
    const released = Object.entries(pool.allocations).filter(([, o]) => o === owner).map(([a]) => a);
    if (released.length === 0) return [];
    const allocations = Object.fromEntries(Object.entries(pool.allocations).filter(([, o]) => o !== owner));
    writeJsonAtomic(this.#file(network), { ...pool, allocations } satisfies PoolRecord);
    return released;
  }
}

function nextFree(subnet: Subnet, last: number, taken: Set<number>): number | undefined {
  const first = subnet.base + 1;
  const end = broadcastOf(subnet) - 1;
  const size = end - first + 1;
  let candidate = last;
  for (let i = 0; i < size; i++) {
    candidate = candidate >= end || candidate < first ? first : candidate + 1;
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}
