// The iptables fallback end to end, as root, inside a private "host" netns: the same port
// publishing as bridge.test.ts with the firewall backend forced to iptables.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeNetworkManager, selectFirewall } from '../../packages/network-manager/src/index.ts';
import { iptablesIn, iptablesSave } from '../lib/iptables.ts';
import { NetnsScope, nftRuleset, nsPath, runIn, wireOutside } from '../lib/netns.ts';

const scope = new NetnsScope();
let host: string;
let dataDir: string;
let www: string;
let mgr: BridgeNetworkManager;

const ns = (tag: string): string => scope.ns(tag);

const wget = (netns: string, url: string): ReturnType<typeof runIn> => runIn(netns, ['busybox', 'wget', '-q', '-O', '-', url], undefined, 3000);

async function serve(netns: string, port: number): Promise<void> {
  scope.start(netns, ['busybox', 'httpd', '-f', '-p', String(port), '-h', www]);
  for (let i = 0; i < 50; i++) {
    if (wget(netns, `http://127.0.0.1:${port}/id`).status === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`httpd on ${netns}:${port} did not come up`);
}

beforeAll(() => {
  host = ns('ipthost');
  dataDir = mkdtempSync(join(tmpdir(), 'tsrun-ipt-e2e-'));
  www = join(dataDir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'id'), 'hello from a container\n');
  mgr = new BridgeNetworkManager({ dataDir, hostNetns: nsPath(host), firewall: 'iptables', hostResolvConf: '/dev/null' });
});

afterAll(async () => {
  await mgr?.close();
  await scope.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('iptables firewall backend', () => {
  it('is chosen automatically when nft is not on the PATH, and nft otherwise', async () => {
    expect((await selectFirewall('auto', nsPath(host))).kind).toBe('nftables');
    const bin = join(dataDir, 'bin');
    mkdirSync(bin);
    for (const tool of ['/usr/bin/nsenter', '/usr/sbin/iptables-save']) symlinkSync(tool, join(bin, tool.split('/').pop()!));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      expect((await selectFirewall('auto', nsPath(host))).kind).toBe('iptables');
      await expect(selectFirewall('nftables', nsPath(host))).rejects.toThrow('firewall nftables: `nft list tables` does not run here');
    } finally {
      process.env.PATH = path;
    }
    await expect(selectFirewall('ipchains' as never, nsPath(host))).rejects.toThrow('firewall "ipchains": expected auto, nftables or iptables');
  });

  it('publishes ports, hairpins, isolates networks, keeps others\' rules, and removal restores iptables-save', async () => {
    // someone else's rules in the built-in chains: they must stay as they are
    iptablesIn(host, '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '--dport', '9999', '-j', 'ACCEPT');
    iptablesIn(host, '-A', 'FORWARD', '-p', 'icmp', '-j', 'ACCEPT');
    const outside = ns('iptout');
    wireOutside(host, outside, '192.0.2');
    const before = iptablesSave(host);

    expect(await mgr.firewallKind()).toBe('iptables');
    await mgr.createNetwork({ name: 'front', subnet: '10.77.0.0/24' });
    await mgr.createNetwork({ name: 'back', subnet: '10.78.0.0/24' });
    const [c2, c3] = [ns('ic2'), ns('ic3')];
    const db = await mgr.connect({ network: 'front', containerId: 'c2', netnsPath: nsPath(c2) });
    await mgr.connect({ network: 'back', containerId: 'c3', netnsPath: nsPath(c3) });
    await serve(c2, 80);

    // isolated before anything is published
    expect(runIn(c3, ['busybox', 'ping', '-c', '1', '-W', '1', db.address]).status).not.toBe(0);
    expect(wget(outside, 'http://192.0.2.1:8080/id').status).not.toBe(0);

    await mgr.publishPorts({ containerId: 'c2', ports: ['8080:80/tcp'] });
    await mgr.publishPorts({ containerId: 'c2', ports: ['127.0.0.1:8081:80'] });
    expect(wget(outside, 'http://192.0.2.1:8080/id').out).toBe('hello from a container\n');
    expect(wget(host, 'http://127.0.0.1:8080/id').out).toBe('hello from a container\n');
    expect(wget(host, 'http://127.0.0.1:8081/id').out).toBe('hello from a container\n');
    expect(wget(outside, 'http://192.0.2.1:8081/id').status).not.toBe(0); // bound to 127.0.0.1 only
    expect(wget(c3, 'http://192.0.2.1:8080/id').out).toBe('hello from a container\n'); // another network, through the host
    expect(wget(c2, 'http://10.77.0.1:8080/id').out).toBe('hello from a container\n'); // hairpin
    expect(runIn(c3, ['busybox', 'ping', '-c', '1', '-W', '1', db.address]).status).not.toBe(0);

    // the rules are iptables ones, each jump once (several applies happened), nothing in an nft table of ours
    const saved = iptablesSave(host);
    for (const jump of ['-A PREROUTING -j TSRUN-PREROUTING', '-A OUTPUT -j TSRUN-OUTPUT', '-A POSTROUTING -j TSRUN-POSTROUTING', '-A FORWARD -j TSRUN-FORWARD']) {
      expect(saved.split('\n').filter((l) => l === jump)).toHaveLength(1);
    }
    expect(saved).toContain('--to-destination 10.77.0.2:80');
    expect(saved).toContain('-A PREROUTING -p tcp -m tcp --dport 9999 -j ACCEPT');
    expect(nftRuleset(host)).not.toContain('table ip tsrun');

    // a failed publish changes nothing
    await expect(mgr.publishPorts({ containerId: 'c2', ports: ['8080:81'] })).rejects.toThrow('port already published');
    expect(iptablesSave(host)).toBe(saved);

    await mgr.unpublishPorts('c2');
    expect(iptablesSave(host)).not.toContain('-j DNAT');
    expect(wget(outside, 'http://192.0.2.1:8080/id').status).not.toBe(0);
    await mgr.disconnect('front', 'c2');
    await mgr.disconnect('back', 'c3');
    await mgr.removeNetwork('front');
    await mgr.removeNetwork('back');
    expect(iptablesSave(host)).toBe(before);
    // iptables-nft leaves the built-in chains it created on demand (empty, policy accept): only ours must be gone
    expect(nftRuleset(host)).not.toMatch(/TSRUN|tsrun/);
  });
});
