import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export interface HostsLine {
  readonly ip: string;
  readonly names: readonly string[];
}

/** /etc/hosts: loopback, the container's own addresses and names, then its peers (user-defined networks only). */
export function renderHosts(self: readonly HostsLine[], peers: readonly HostsLine[]): string {
  const line = (h: HostsLine): string => `${h.ip}\t${[...new Set(h.names)].join(' ')}`;
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...self.map(line),
    ...peers.map(line),
  ].join('\n') + '\n';
}

/**
 * /etc/resolv.conf: the given nameservers, or the host's. Loopback nameservers
 * (a local stub resolver) cannot be reached from the container's namespace, so they are dropped.
 */
export function renderResolvConf(hostResolvConf: string, nameservers?: readonly string[]): string {
  const lines = hostResolvConf.split('\n').map((l) => l.trim());
  const servers = nameservers && nameservers.length > 0
    ? [...nameservers]
    : lines.filter((l) => /^nameserver\s/.test(l)).map((l) => l.split(/\s+/)[1]!).filter((s) => s && !/^127\.|^::1$/.test(s));
  const rest = lines.filter((l) => /^(search|domain|options)\s/.test(l));
  return [...servers.map((s) => `nameserver ${s}`), ...rest].join('\n') + '\n';
}

export function readHostResolvConf(path = '/etc/resolv.conf'): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export interface ContainerFiles {
  readonly hostname: string;
  readonly hosts: string;
  readonly resolvConf: string;
}

/**
 * Writes hosts, resolv.conf and hostname into `dir`, each atomically (a bind-mounted reader never
 * sees half a file) but without fsync: they are derived from the store and rewritten from it.
 */
export function writeContainerFiles(dir: string, files: ContainerFiles): void {
  writeFileAtomic(join(dir, 'hostname'), `${files.hostname}\n`, false);
  writeFileAtomic(join(dir, 'hosts'), files.hosts, false);
  writeFileAtomic(join(dir, 'resolv.conf'), files.resolvConf, false);
}

export function removeContainerFiles(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
