// The resident `ip` process that attach and detach use, as root inside private
// network namespaces: failures inside a batch, its death under a batch, and an
// attach that fails on either side leaving nothing behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeNetworkManager } from '../../packages/network-manager/src/index.ts';
import { ResidentIp } from '../../packages/network-manager/src/resident-ip.ts';
import { ip, linkNames, NetnsScope, nsPath, runIn } from '../lib/netns.ts';

const scope = new NetnsScope();
let host: string;
let dataDir: string;
let mgr: BridgeNetworkManager;

const ns = (tag: string): string => scope.ns(tag);

const ipamAllocations = (): unknown => (JSON.parse(readFileSync(join(dataDir, 'ipam', 'bridge.json'), 'utf8')) as { allocations: unknown }).allocations;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  host = ns('rhost');
  dataDir = mkdtempSync(join(tmpdir(), 'tsrun-net-resident-'));
  mgr = new BridgeNetworkManager({ dataDir, hostNetns: nsPath(host), defaultSubnet: '172.31.0.0/16' });
  await mgr.init();
});

afterAll(async () => {
  await mgr?.close();
  await scope.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('resident ip process', () => {
  it('reports the failing commands of a batch by their text and goes on with the next batch', async () => {
    const n = ns('batch');
    const r = new ResidentIp(nsPath(n));
    try {
      const failures = await r.run([
        'link add name rb0 type bridge',
        'link set dev nosuch0 up',
        'link set dev rb0 up',
        'link add name rb0 type bridge',
      ]);
      expect(failures.map((f) => f.command)).toEqual(['link set dev nosuch0 up', 'link add name rb0 type bridge']);
      expect(failures[0]!.message).toContain('nosuch0');
      expect(failures[1]!.message).toContain('File exists');
      // with -force the commands around a failure are done
      expect(ip('-n', n, '-br', 'link', 'show', 'rb0')).toContain('UP');
      expect(await r.run(['addr add 10.99.0.1/24 dev rb0'])).toEqual([]);
      const pid = r.pid;
      expect(await r.run(['link set dev rb0 down'])).toEqual([]);
      expect(r.pid).toBe(pid);
      // a line ip cannot parse makes it exit: that batch fails, the next one gets a new process
      await expect(r.run(['addr add 10.99.0.1/33 dev rb0'])).rejects.toThrow(/the resident ip process exited with status \d+ \(.*10\.99\.0\.1\/33/);
      expect(await r.run(['link del dev rb0'])).toEqual([]);
      expect(r.pid).not.toBe(pid);
      expect(linkNames(n)).toEqual(['lo']);
    } finally {
      r.close();
    }
  });

  it('replaces a killed resident process: the attach under way and the next ones succeed', async () => {
    const c = ns('killed');
    await mgr.connect({ network: 'bridge', containerId: 'k1', netnsPath: nsPath(c) });
    await mgr.disconnect('bridge', 'k1');
    const first = mgr.residentIpPid!;
    expect(alive(first)).toBe(true);
    const linksBefore = linkNames(host);

    // killed while an attach is being queued: that batch dies with it, is undone and run again
    const attaching = mgr.connect({ network: 'bridge', containerId: 'k1', netnsPath: nsPath(c) });
    process.kill(first, 'SIGKILL');
    const ep = await attaching;
    const second = mgr.residentIpPid!;
    expect(second).not.toBe(first);
    expect(runIn(c, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']).out).toContain(`inet ${ep.address}/16`);
    await mgr.disconnect('bridge', 'k1');

    // killed while idle: the next attach starts a new one
    process.kill(second, 'SIGKILL');
    while (alive(second)) await new Promise((r) => setTimeout(r, 5));
    const again = await mgr.connect({ network: 'bridge', containerId: 'k1', netnsPath: nsPath(c) });
    expect(mgr.residentIpPid).not.toBe(second);
    expect(runIn(c, ['ip', 'route', 'show', 'default']).out.trim()).toBe(`default via ${again.gateway} dev eth0`);
    await mgr.disconnect('bridge', 'k1');
    expect(linkNames(host)).toEqual(linksBefore);
    expect((await mgr.inspectNetwork('bridge')).endpoints).toEqual([]);
  });

  it('a container-side failure is reported and leaves no link and no address behind', async () => {
    const c = ns('eth0taken');
    ip('-n', c, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p');
    const linksBefore = linkNames(host);
    const containerBefore = linkNames(c);
    const ipamBefore = ipamAllocations();
    await expect(mgr.connect({ network: 'bridge', containerId: 'h1', netnsPath: nsPath(c), ifName: 'eth0' }))
      .rejects.toThrow(/^connect h1 to network bridge: container side: .*File exists/);
    expect(linkNames(host)).toEqual(linksBefore);
    expect(linkNames(c)).toEqual(containerBefore);
    expect(ipamAllocations()).toEqual(ipamBefore);
    expect((await mgr.inspectNetwork('bridge')).endpoints).toEqual([]);
    expect(readdirSync(join(dataDir, 'containers'))).not.toContain('h1');
  });

  it('a host-side failure is reported, the pair is removed, and reconcile brings the lost bridge back', async () => {
    const c = ns('nobridge');
    const linksBefore = linkNames(host);
    const ipamBefore = ipamAllocations();
    ip('-n', host, 'link', 'del', 'tsd0');
    await expect(mgr.connect({ network: 'bridge', containerId: 'b1', netnsPath: nsPath(c) }))
      .rejects.toThrow(/^connect b1 to network bridge: host side: link set dev tsv[0-9a-f]{8}: RTNETLINK answers|^connect b1 to network bridge: host side: .*"tsd0".*Device does not exist/);
    expect(linkNames(host)).toEqual(linksBefore.filter((l) => l !== 'tsd0'));
    expect(linkNames(c)).toEqual(['lo']);
    expect(ipamAllocations()).toEqual(ipamBefore);
    expect((await mgr.reconcile()).recreatedBridges).toEqual(['tsd0']);
    await mgr.connect({ network: 'bridge', containerId: 'b1', netnsPath: nsPath(c) });
    expect(runIn(c, ['ip', '-o', 'link', 'show', 'eth0']).out).toContain('state UP');
    await mgr.disconnect('bridge', 'b1');
    expect(linkNames(host)).toEqual(linksBefore);
  });

  it('a container-side failure after the pair was made removes the pair', async () => {
    const c = ns('ctrfail');
    // a default route already there: the attach's own `route add default` fails
    ip('-n', c, 'link', 'add', 'other0', 'type', 'veth', 'peer', 'name', 'other1');
    ip('-n', c, 'addr', 'add', '192.0.2.2/24', 'dev', 'other0');
    ip('-n', c, 'link', 'set', 'other0', 'up');
    ip('-n', c, 'route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'other0');
    const linksBefore = linkNames(host);
    const containerBefore = linkNames(c);
    const ipamBefore = ipamAllocations();
    await expect(mgr.connect({ network: 'bridge', containerId: 'f1', netnsPath: nsPath(c) }))
      .rejects.toThrow(/^connect f1 to network bridge: container side: .*File exists/);
    expect(linkNames(host)).toEqual(linksBefore);
    expect(linkNames(c)).toEqual(containerBefore);
    expect(ipamAllocations()).toEqual(ipamBefore);
    // the resident process is still good for the next attach
    const ok = ns('afterfail');
    await mgr.connect({ network: 'bridge', containerId: 'f2', netnsPath: nsPath(ok) });
    await mgr.disconnect('bridge', 'f2');
    expect(linkNames(host)).toEqual(linksBefore);
  });
});
