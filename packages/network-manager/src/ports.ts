import { EngineError } from '@tsrun/oci-spec';
import { formatIpv4, parseIpv4 } from './ipv4.js';

export type Protocol = 'tcp' | 'udp';

/** One published port: traffic to hostIp:hostPort (0.0.0.0: any local address) goes to the container's containerPort. */
export interface PortMapping {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

function parsePort(text: string, spec: string, what: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) {
    throw new EngineError('invalid_argument', `publish ${JSON.stringify(spec)}: ${what} ${JSON.stringify(text)} is not a port (1-65535)`);
  }
  return n;
}

function parseRange(text: string, spec: string, what: string): [number, number] {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const p = parsePort(text, spec, what);
    return [p, p];
  }
  const start = parsePort(text.slice(0, dash), spec, what);
  const end = parsePort(text.slice(dash + 1), spec, what);
  if (end < start) throw new EngineError('invalid_argument', `publish ${JSON.stringify(spec)}: ${what} range ${text} ends before it starts`);
  return [start, end];
}

/**
 * Parses Docker's `-p` syntax: `[hostIP:]hostPort[-end]:containerPort[-end][/tcp|udp]`.
 * A range maps one to one, so both sides must have the same length.
 */
export function parsePortSpec(spec: string): PortMapping[] {
  let body = spec.trim();
  let protocol: Protocol = 'tcp';
  const slash = body.lastIndexOf('/');
  if (slash >= 0) {
    const p = body.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new EngineError('invalid_argument', `publish ${JSON.stringify(spec)}: protocol ${JSON.stringify(p)} is not tcp or udp`);
    protocol = p;
    body = body.slice(0, slash);
  }
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new EngineError('invalid_argument', `publish ${JSON.stringify(spec)}: expected [hostIP:]hostPort:containerPort[/tcp|udp]`);
  }
  const hostIpText = parts.length === 3 ? parts[0]! : '0.0.0.0';
  const hostIp = formatIpv4(parseIpv4(hostIpText === '' ? '0.0.0.0' : hostIpText, `publish ${JSON.stringify(spec)}: host IP`));
  const [hs, he] = parseRange(parts[parts.length - 2]!, spec, 'host port');
  const [cs, ce] = parseRange(parts[parts.length - 1]!, spec, 'container port');
  if (he - hs !== ce - cs) {
    throw new EngineError('invalid_argument', `publish ${JSON.stringify(spec)}: host range has ${he - hs + 1} ports, container range ${ce - cs + 1}`);
  }
  return Array.from({ length: he - hs + 1 }, (_, i) => ({ hostIp, hostPort: hs + i, containerPort: cs + i, protocol }));
}

function clash(a: PortMapping, b: PortMapping): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort
    && (a.hostIp === b.hostIp || a.hostIp === '0.0.0.0' || b.hostIp === '0.0.0.0');
}

const show = (m: PortMapping): string => `${m.hostIp}:${m.hostPort}/${m.protocol}`;

/** Throws if a new mapping clashes with a published one (naming its owner) or with another new one. */
export function checkPortConflicts(
  wanted: readonly PortMapping[],
  published: readonly { readonly owner: string; readonly mapping: PortMapping }[],
): void {
  const byKey = new Map<string, { owner: string; mapping: PortMapping }[]>();
  const keyOf = (m: PortMapping): string => `${m.protocol}/${m.hostPort}`;
  for (const p of published) byKey.set(keyOf(p.mapping), [...(byKey.get(keyOf(p.mapping)) ?? []), p]);
  for (const [i, m] of wanted.entries()) {
    const hit = byKey.get(keyOf(m))?.find((p) => clash(p.mapping, m));
    if (hit) throw new EngineError('already_exists', `publish ${show(m)}: port already published (${show(hit.mapping)} for ${hit.owner})`);
    const dup = wanted.slice(0, i).find((o) => clash(o, m));
    if (dup) throw new EngineError('invalid_argument', `publish ${show(m)}: given twice (clashes with ${show(dup)})`);
  }
}
