// Network namespaces for network tests: a private "host" per test and "containers"
// inside it, all created with `ip netns` and deleted afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

let counter = 0;

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

/** Creates a named netns with loopback up; returns its name (path: /run/netns/NAME). */
export function addNetns(tag: string): string {
  const name = `tsrun-t-${process.pid}-${counter++}-${tag}`;
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  return name;
}

export function delNetns(name: string): void {
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
}

export const nsPath = (name: string): string => `/run/netns/${name}`;

export interface Ran {
  readonly status: number;
  readonly out: string;
}

/**
 * Runs a command inside a netns (nsenter: no /sys remount), optionally in a private
 * mount namespace with the container's generated files bind-mounted over /etc/hosts,
 * /etc/resolv.conf and /etc/hostname, the way the runtime mounts them.
 */
export function runIn(netns: string, argv: string[], filesDir?: string, timeoutMs = 10_000): Ran {
  const inner = filesDir
    ? ['unshare', '-m', 'sh', '-c',
        `for f in hosts resolv.conf hostname; do mount --bind "${filesDir}/$f" "/etc/$f" || exit 99; done; exec "$@"`, 'sh', ...argv]
    : argv;
  try {
    const out = execFileSync('nsenter', [`--net=${nsPath(netns)}`, ...inner], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, out };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A long-running process inside a netns (e.g. busybox httpd); kill it with stop(). */
export function startIn(netns: string, argv: string[]): ChildProcess {
  return spawn('nsenter', [`--net=${nsPath(netns)}`, ...argv], { stdio: 'ignore' });
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Link names in a netns (sorted), for before/after comparisons. */
export function linkNames(netns: string): string[] {
  return (JSON.parse(ip('-j', '-n', netns, 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname).sort();
}

export function nftRuleset(netns: string): string {
  return execFileSync('nsenter', [`--net=${nsPath(netns)}`, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
}

/** Wires an "outside host" netns to the test host netns over a veth: host side .1, outside .2 of `subnet24` (e.g. "192.0.2"). */
export function wireOutside(host: string, outside: string, subnet24: string): void {
  const tag = `o${counter++}`;
  ip('-n', host, 'link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}o`, 'netns', outside);
  ip('-n', host, 'addr', 'add', `${subnet24}.1/24`, 'dev', `${tag}h`);
  ip('-n', host, 'link', 'set', `${tag}h`, 'up');
  ip('-n', outside, 'addr', 'add', `${subnet24}.2/24`, 'dev', `${tag}o`);
  ip('-n', outside, 'link', 'set', `${tag}o`, 'up');
}

/** The namespaces and servers one test file makes, removed together at its end. */
export class NetnsScope {
  readonly #namespaces: string[] = [];
  readonly #servers: ChildProcess[] = [];

  ns(tag: string): string {
    const n = addNetns(tag);
    this.#namespaces.push(n);
    return n;
  }

  start(netns: string, argv: string[]): ChildProcess {
    const child = startIn(netns, argv);
    this.#servers.push(child);
    return child;
  }

  async cleanup(): Promise<void> {
    for (const s of this.#servers.splice(0)) await stop(s);
    for (const n of this.#namespaces.splice(0).reverse()) delNetns(n);
  }
}
