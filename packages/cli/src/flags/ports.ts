/**
 * docker -p: [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp]. The request
 * carries the text (HostConfig.port_bindings); parsing here rejects a bad value with
 * the flag named before anything reaches the daemon, and gives inspect its map.
 */
import { isIP } from 'node:net';
import { FlagError } from '../errors.js';

export const PUBLISH_FLAG = '-p, --publish';

export interface PortRange { start: number; end: number }

export interface PortSpec {
  /** empty: every address */
  hostIp: string;
  /** undefined: a port the daemon picks */
  hostPorts?: PortRange;
  containerPorts: PortRange;
  protocol: 'tcp' | 'udp' | 'sctp';
}

function range(text: string, what: string, fail: (why: string) => never): PortRange {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) fail(`invalid ${what} port ${JSON.stringify(text)}: expected a number or a range (8000-8010)`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  for (const p of [start, end]) if (p < 1 || p > 65535) fail(`invalid ${what} port ${p}: must be between 1 and 65535`);
  if (end < start) fail(`invalid ${what} port range ${text}: the end is below the start`);
  return { start, end };
}

export function parsePublish(value: string, flag = PUBLISH_FLAG): PortSpec {
  const fail = (why: string): never => { throw new FlagError(flag, value, why); };
  let rest = value;
  let protocol: PortSpec['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') fail(`invalid protocol ${JSON.stringify(p)}: expected tcp, udp or sctp`);
    protocol = p as PortSpec['protocol'];
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') fail('an IPv6 address must be in brackets and followed by ":" ([::1]:8080:80)');
    hostIp = rest.slice(1, close);
    if (isIP(hostIp) !== 6) fail(`invalid IP address ${JSON.stringify(hostIp)}`);
    rest = rest.slice(close + 2);
    if (!rest.includes(':')) rest = `:${rest}`;
  }
  const parts = rest.split(':');
  if (parts.length > 3) fail('too many colons: expected [ip:]hostPort:containerPort');
  if (parts.length === 3) {
    if (hostIp !== '') fail('too many colons: expected [ip:]hostPort:containerPort');
    hostIp = parts.shift()!;
    if (isIP(hostIp) === 0) fail(`invalid IP address ${JSON.stringify(hostIp)}`);
  }
  const containerText = parts.pop()!;
  if (containerText === '') fail('no container port');
  const containerPorts = range(containerText, 'container', fail);
  const hostText = parts[0];
  const spec: PortSpec = { hostIp, containerPorts, protocol };
  if (hostText !== undefined && hostText !== '') {
    spec.hostPorts = range(hostText, 'host', fail);
    const hostCount = spec.hostPorts.end - spec.hostPorts.start;
    const containerCount = containerPorts.end - containerPorts.start;
    if (containerCount !== 0 && hostCount !== containerCount) fail(`the host range ${hostText} and the container range ${containerText} differ in size`);
  }
  return spec;
}

/** HostConfig.PortBindings as docker shows it: {"80/tcp": [{HostIp, HostPort}]}. */
export function portBindingsMap(specs: readonly PortSpec[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const s of specs) {
    for (let p = s.containerPorts.start; p <= s.containerPorts.end; p += 1) {
      const offset = p - s.containerPorts.start;
      const host = s.hostPorts === undefined ? '' : String(s.containerPorts.start === s.containerPorts.end ? `${s.hostPorts.start}${s.hostPorts.end > s.hostPorts.start ? `-${s.hostPorts.end}` : ''}` : s.hostPorts.start + offset);
      (out[`${p}/${s.protocol}`] ??= []).push({ HostIp: s.hostIp, HostPort: host });
    }
  }
  return out;
}
