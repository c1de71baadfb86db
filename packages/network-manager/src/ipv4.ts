import { EngineError } from '@tsrun/oci-spec';

/** An IPv4 subnet as numbers: `base` is the network address, host bits zero. */
export interface Subnet {
  readonly base: number;
  readonly prefix: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 address; `what` names the field in the error ("subnet", "--ip"). */
export function parseIpv4(text: string, what: string): number {
  const m = DOTTED.exec(text);
  const parts = m ? m.slice(1).map(Number) : [];
  if (!m || parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) {
    throw new EngineError('invalid_argument', `${what} ${JSON.stringify(text)}: not an IPv4 address`);
  }
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0);
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n"; host bits must be zero, and the subnet must leave room for a gateway and a host. */
export function parseSubnet(text: string, what = 'subnet'): Subnet {
  const slash = text.indexOf('/');
  if (slash < 0) throw new EngineError('invalid_argument', `${what} ${JSON.stringify(text)}: not a CIDR (expected a.b.c.d/n)`);
  const addr = parseIpv4(text.slice(0, slash), what);
  const prefixText = text.slice(slash + 1);
  const prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) {
    throw new EngineError('invalid_argument', `${what} ${JSON.stringify(text)}: prefix length must be 0-32`);
  }
  if (prefix > 30) {
    throw new EngineError('invalid_argument', `${what} ${JSON.stringify(text)}: /${prefix} leaves no room for a gateway and a container (at most /30)`);
  }
  const base = (addr & maskOf(prefix)) >>> 0;
  if (base !== addr) {
    throw new EngineError('invalid_argument', `${what} ${JSON.stringify(text)}: host bits are set (did you mean ${formatIpv4(base)}/${prefix}?)`);
  }
  return { base, prefix };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIpv4(s.base)}/${s.prefix}`;
}

export function broadcastOf(s: Subnet): number {
  return (s.base | ~maskOf(s.prefix)) >>> 0;
}

export function subnetContains(s: Subnet, ip: number): boolean {
  return ((ip & maskOf(s.prefix)) >>> 0) === s.base;
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.base & maskOf(prefix)) >>> 0) === ((b.base & maskOf(prefix)) >>> 0);
}

/** An address usable by a host: inside the subnet, neither its network nor its broadcast address. */
export function isHostAddress(s: Subnet, ip: number): boolean {
  return subnetContains(s, ip) && ip !== s.base && ip !== broadcastOf(s);
}

/** Docker's convention: a MAC derived from the address, locally administered, so a reused address keeps its MAC. */
export function macFor(ip: number): string {
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
