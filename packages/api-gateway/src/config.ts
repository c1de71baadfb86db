/** tsd's settings, with dockerd's names and defaults where it has them. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type ServiceName = 'runtime' | 'images' | 'registry' | 'network' | 'engine';
export const SERVICE_NAMES: readonly ServiceName[] = ['runtime', 'images', 'registry', 'network', 'engine'];

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  /** unix:///path or tcp://host:port (TLS with client certificates required) */
  hosts: string[];
  insecureRegistries: string[];
  debug: boolean;
  /** the group allowed on the unix sockets besides root */
  group: string;
  tls?: TlsFiles;
  shim: string;
  /** `all`: every service in this process; otherwise just this one, alone on its socket */
  service: 'all' | Exclude<ServiceName, 'engine'>;
  /** services the gateway reaches on other sockets instead of hosting them */
  remote: Partial<Record<Exclude<ServiceName, 'engine'>, string>>;
  bridge: string;
  /** the default network's subnet, CIDR */
  defaultSubnet: string;
  logMaxSize: number;
  logMaxFiles: number;
}

/** The shim binary: $TSD_SHIM, next to this file (installed), the repo's build, then the installed path. */
export function findShim(mainFile = process.argv[1] ?? ''): string {
  const env = process.env.TSD_SHIM;
  if (env) return env;
  const here = dirname(resolve(mainFile));
  const candidates = [join(here, 'tsrun'), join(here, '../../../runtime-shim/build/tsrun'), '/usr/local/lib/tsrun/tsrun'];
  return candidates.find((c) => existsSync(c)) ?? candidates.at(-1)!;
}

export function defaultConfig(): DaemonConfig {
  return {
    dataRoot: '/var/lib/tsd', execRoot: '/run/tsd', hosts: [], insecureRegistries: [], debug: false, group: 'tsd',
    shim: findShim(), service: 'all', remote: {}, bridge: 'tsd0', defaultSubnet: '172.30.0.0/16',
    logMaxSize: 10 * 1024 * 1024, logMaxFiles: 3,
  };
}
