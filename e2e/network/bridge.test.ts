// Bridge networks end to end, as root, inside a private "host" netns per test file:
// containers are network namespaces inside it, traffic is real (busybox ping/httpd/wget).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeNetworkManager, type EndpointInfo } from '../../packages/network-manager/src/index.ts';
import { delNetns, linkNames, NetnsScope, nftRuleset, nsPath, runIn, wireOutside } from '../lib/netns.ts';

const scope = new NetnsScope();
let host: string;
let dataDir: string;
let www: string;
let mgr: BridgeNetworkManager;

const ns = (tag: string): string => scope.ns(tag);

function ipamFiles(): Record<string, unknown> {
  const dir = join(dataDir, 'ipam');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]));
}

const wget = (netns: string, url: string, files?: string): ReturnType<typeof runIn> =>
  runIn(netns, ['busybox', 'wget', '-q', '-O', '-', url], files, 3000);

async function serve(netns: string, port: number): Promise<void> {
  scope.start(netns, ['busybox', 'httpd', '-f', '-p', String(port), '-h', www]);
  for (let i = 0; i < 50; i++) {
    if (runIn(netns, ['busybox', 'wget', '-q', '-O', '-', `http://127.0.0.1:${port}/id`], undefined, 1000).status === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`httpd on ${netns}:${port} did not come up`);
}

beforeAll(async () => {
  host = ns('host');
  dataDir = mkdtempSync(join(tmpdir(), 'tsrun-net-e2e-'));
  www = join(dataDir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'id'), 'hello from a container\n');
  writeFileSync(join(dataDir, 'resolv.conf'), 'nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch test.invalid\n');
  mgr = new BridgeNetworkManager({ dataDir, hostNetns: nsPath(host), defaultSubnet: '172.30.0.0/16', hostResolvConf: join(dataDir, 'resolv.conf') });
  await mgr.init();
});

afterAll(async () => {
  await mgr?.close();
  await scope.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('bridge networks', () => {
  it('connects containers that reach each other by name, publishes ports, isolates networks, and leaves nothing behind', async () => {
    const linksBefore = linkNames(host);
    const rulesBefore = nftRuleset(host);
    const ipamBefore = ipamFiles();

    await mgr.createNetwork({ name: 'front', subnet: '10.77.0.0/24' });
    await mgr.createNetwork({ name: 'back', subnet: '10.78.0.0/24', mtu: 1400 });
    const [c1, c2, c3] = [ns('c1'), ns('c2'), ns('c3')];
    const web = await mgr.connect({ network: 'front', containerId: 'c1', netnsPath: nsPath(c1), name: 'web', aliases: ['www'] });
    const db = await mgr.connect({ network: 'front', containerId: 'c2', netnsPath: nsPath(c2), name: 'db', aliases: ['postgres'] });
    const other = await mgr.connect({ network: 'back', containerId: 'c3', netnsPath: nsPath(c3), name: 'other' });
    expect([web.address, db.address, other.address]).toEqual(['10.77.0.2', '10.77.0.3', '10.78.0.2']);

    // the container side: address, MTU, default route via the bridge, loopback up
    expect(runIn(c3, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']).out).toContain('inet 10.78.0.2/24');
    expect(runIn(c3, ['ip', 'link', 'show', 'eth0']).out).toContain('mtu 1400');
    expect(runIn(c3, ['ip', 'route', 'show', 'default']).out.trim()).toBe('default via 10.78.0.1 dev eth0');
    expect(runIn(c3, ['ip', 'link', 'show', 'lo']).out).toContain('UP');

    // name resolution through the generated files, which were rewritten for c1 when c2 joined
    const hostsOfWeb = readFileSync(join(web.filesDir, 'hosts'), 'utf8');
    expect(hostsOfWeb).toContain('10.77.0.2\tc1 web www');
    expect(hostsOfWeb).toContain('10.77.0.3\tdb postgres');
    expect(hostsOfWeb).not.toContain('10.78.0.2');
    expect(readFileSync(join(web.filesDir, 'resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\nsearch test.invalid\n');
    expect(runIn(c1, ['busybox', 'ping', '-c', '1', '-W', '2', 'postgres'], web.filesDir).status).toBe(0);
    await serve(c2, 80);
    expect(wget(c1, 'http://db/id', web.filesDir).out).toBe('hello from a container\n');

    // another network cannot reach them, neither by address nor by name
    expect(runIn(c3, ['busybox', 'ping', '-c', '1', '-W', '1', db.address]).status).not.toBe(0);
    expect(wget(c3, 'http://db/id', other.filesDir).status).not.toBe(0);

    // published: from an outside host, from the test host itself at 127.0.0.1, and from a container (hairpin through the host address)
    const outside = ns('outside');
    const linksWithoutOutside = linkNames(host);
    wireOutside(host, outside, '192.0.2');
    const linksWithOutside = linkNames(host);
    const outsideLinks = linksWithOutside.filter((l) => !linksWithoutOutside.includes(l));
    expect(await mgr.publishPorts({ containerId: 'c2', ports: ['8080:80/tcp'] })).toEqual([{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(wget(outside, 'http://192.0.2.1:8080/id').out).toBe('hello from a container\n');
    expect(wget(host, 'http://127.0.0.1:8080/id').out).toBe('hello from a container\n');
    expect(wget(c3, 'http://192.0.2.1:8080/id').out).toBe('hello from a container\n');
    expect(wget(c2, 'http://10.77.0.1:8080/id').out).toBe('hello from a container\n');

    // bad input: a clear error and nothing changed
    const rulesPublished = nftRuleset(host);
    const ipamPublished = ipamFiles();
    const networks = await mgr.listNetworks();
    await expect(mgr.publishPorts({ containerId: 'c1', ports: ['8079-8081:80-82'] })).rejects.toThrow('publish 0.0.0.0:8080/tcp: port already published (0.0.0.0:8080/tcp for c2)');
    await expect(mgr.publishPorts({ containerId: 'c1', ports: ['9000:80', '9001-9000:80-81'] })).rejects.toThrow('host port range 9001-9000 ends before it starts');
    await expect(mgr.createNetwork({ name: 'clash', subnet: '10.77.0.128/25' })).rejects.toThrow('subnet 10.77.0.128/25: overlaps 10.77.0.0/24 of network front');
    await expect(mgr.createNetwork({ name: 'bad', subnet: '10.79.0.0/40' })).rejects.toThrow('subnet "10.79.0.0/40": prefix length must be 0-32');
    await expect(mgr.createNetwork({ name: 'front', subnet: '10.80.0.0/24' })).rejects.toThrow('create network front: already exists');
    await expect(mgr.connect({ network: 'front', containerId: 'c9', netnsPath: nsPath(c3), ip: '10.77.0.3' })).rejects.toThrow('ip 10.77.0.3: already in use on network front (by c2)');
    await expect(mgr.removeNetwork('front')).rejects.toThrow('remove network front: 2 container(s) still attached (c1, c2)');
    expect(nftRuleset(host)).toBe(rulesPublished);
    expect(ipamFiles()).toEqual(ipamPublished);
    expect(await mgr.listNetworks()).toEqual(networks);
    expect(linkNames(host)).toEqual(linksWithOutside);

    // removal leaves the kernel and the store as they were
    await mgr.disconnect('front', 'c2');
    expect(readFileSync(join(web.filesDir, 'hosts'), 'utf8')).not.toContain('db');
    expect(nftRuleset(host)).not.toContain('8080');
    await mgr.disconnect('front', 'c1');
    await mgr.disconnect('back', 'c3');
    await mgr.removeNetwork('front');
    await mgr.removeNetwork('back');
    expect(linkNames(host)).toEqual([...linksBefore, ...outsideLinks].sort());
    expect(nftRuleset(host)).toBe(rulesBefore);
    expect(ipamFiles()).toEqual(ipamBefore);
    expect(readdirSync(join(dataDir, 'containers'))).toEqual([]);
    expect(runIn(c1, ['ip', '-o', 'link']).out).not.toContain('eth0');
  });

  // Timing belongs to tools/bench/network.ts, never to a test.
  it('attaches and detaches repeatedly, leaving no link and no address behind', async () => {
    const c = ns('cycle');
    const linksBefore = linkNames(host);
    for (let i = 0; i < 30; i++) {
      await mgr.connect({ network: 'bridge', containerId: 'cycle', netnsPath: nsPath(c) });
      await mgr.disconnect('bridge', 'cycle');
    }
    expect(linkNames(host)).toEqual(linksBefore);
    expect((await mgr.inspectNetwork('bridge')).endpoints).toEqual([]);
  });

  it('reconciles after a crash: dead containers dropped, stray links removed, leaked addresses released', async () => {
    const dying = ns('dying');
    const ep: EndpointInfo = await mgr.connect({ network: 'bridge', containerId: 'dying', netnsPath: nsPath(dying) });
    await mgr.publishPorts({ containerId: 'dying', ports: ['127.0.0.1:7000-7001:70-71/udp'] });
    delNetns(dying); // the container died with the daemon down: its veth went with its namespace
    runIn(host, ['ip', 'link', 'add', 'tsv0badc0de', 'type', 'veth', 'peer', 'name', 'leak0']);
    const report = await mgr.reconcile();
    expect(report.droppedEndpoints).toEqual(['dying']);
    expect(report.removedLinks).toEqual(['tsv0badc0de']);
    expect(report.releasedAddresses).toEqual([ep.address]);
    expect(linkNames(host)).not.toContain('tsv0badc0de');
    expect(nftRuleset(host)).not.toContain('7000');
    expect((await mgr.inspectNetwork('bridge')).endpoints).toEqual([]);
    // the bridge itself, if lost (e.g. the host netns was reset), is recreated
    runIn(host, ['ip', 'link', 'del', 'tsd0']);
    expect((await mgr.reconcile()).recreatedBridges).toEqual(['tsd0']);
    expect(runIn(host, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'tsd0']).out).toContain('172.30.0.1/16');
  });
});
