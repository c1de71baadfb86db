// Debian's CNI plugins (bridge, host-local, portmap, loopback) run by CniRunner, as root,
// inside a private "host" netns: the plugins' host side acts there (nsenter), the
// container side in CNI_NETNS. Traffic is real (busybox ping/httpd/wget).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniRunner, parseConfList, type CniConfList } from '../../packages/network-manager/src/index.ts';
import { ip, linkNames, NetnsScope, nftRuleset, nsPath, runIn, wireOutside } from '../lib/netns.ts';

const scope = new NetnsScope();
let host: string;
let dir: string;
let runner: CniRunner;
let list: CniConfList;

const ns = (tag: string): string => scope.ns(tag);

const conflist = (hostLocalDir: string, subnet: string): CniConfList => parseConfList({
  cniVersion: '1.0.0',
  name: 'tsrun-cni-e2e',
  plugins: [
    {
      type: 'bridge', bridge: 'cnit0', isGateway: true, ipMasq: true, hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: hostLocalDir },
    },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});

beforeAll(() => {
  host = ns('cnihost');
  dir = mkdtempSync(join(tmpdir(), 'tsrun-cni-e2e-'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'id'), 'hello over cni\n');
  runner = new CniRunner({ pluginDirs: ['/usr/lib/cni'], hostNetns: nsPath(host), cacheDir: join(dir, 'cache') });
  list = conflist(join(dir, 'host-local'), '10.99.0.0/24');
});

afterAll(async () => {
  await scope.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const vethsOf = (netns: string): string[] =>
  (JSON.parse(ip('-j', '-d', '-n', netns, 'link', 'show')) as { ifname: string; linkinfo?: { info_kind?: string } }[])
    .filter((l) => l.linkinfo?.info_kind === 'veth').map((l) => l.ifname);

describe('CNI plugins', () => {
  it('ADD gives a container an address and a published port, CHECK passes, DEL removes it all', async () => {
    const c1 = ns('cni1');
    const outside = ns('cniout');
    wireOutside(host, outside, '192.0.2');
    const vethsBefore = vethsOf(host);
    const rulesBefore = nftRuleset(host);
    const attachment = {
      containerId: 'cni-c1', netns: nsPath(c1), ifName: 'eth0',
      capabilityArgs: { portMappings: [{ hostPort: 8081, containerPort: 80, protocol: 'tcp' }] },
    };

    const result = await runner.add(list, attachment);
    expect(result.cniVersion).toBe('1.0.0');
    expect(result.ips).toEqual([expect.objectContaining({ address: '10.99.0.2/24', gateway: '10.99.0.1' })]);
    expect(runner.result(list.name, attachment)).toEqual(result);
    expect(runIn(c1, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']).out).toContain('inet 10.99.0.2/24');
    expect(runIn(c1, ['ip', 'route', 'show', 'default']).out).toContain('default via 10.99.0.1 dev eth0');
    expect(runIn(c1, ['busybox', 'ping', '-c', '1', '-W', '2', '10.99.0.1']).status).toBe(0);
    expect(readdirSync(join(dir, 'host-local', list.name))).toContain('10.99.0.2');

    scope.start(c1, ['busybox', 'httpd', '-f', '-p', '80', '-h', join(dir, 'www')]);
    let answer = '';
    for (let i = 0; i < 50 && !answer; i++) {
      answer = runIn(outside, ['busybox', 'wget', '-q', '-O', '-', 'http://192.0.2.1:8081/id'], undefined, 2000).out;
      if (!answer.startsWith('hello')) { answer = ''; await new Promise((r) => setTimeout(r, 100)); }
    }
    expect(answer).toBe('hello over cni\n');

    // CHECK of the bridge and host-local part; Debian's portmap 1.1.1 fails CHECK on an IPv4-only
    // attachment by looking for ip6tables rules it never made (containernetworking/plugins#819)
    await runner.check({ ...list, plugins: list.plugins.slice(0, 1) }, attachment);
    await expect(runner.add(list, attachment)).rejects.toThrow('cni ADD cni-c1 to network tsrun-cni-e2e: already attached as eth0');

    // CHECK fails when what ADD set up was changed behind its back
    runIn(c1, ['ip', 'route', 'del', 'default']);
    await expect(runner.check({ ...list, plugins: list.plugins.slice(0, 1) }, attachment))
      .rejects.toThrow(/^cni CHECK cni-c1 on network tsrun-cni-e2e: plugin bridge: .*0\.0\.0\.0/);

    await runner.del(list, attachment);
    expect(runIn(c1, ['ip', '-o', 'link']).out).not.toContain('eth0');
    expect(vethsOf(host)).toEqual(vethsBefore);
    expect(readdirSync(join(dir, 'host-local', list.name))).not.toContain('10.99.0.2');
    const rulesAfter = nftRuleset(host);
    expect(rulesAfter).not.toContain('10.99.0.2');
    expect(rulesAfter).not.toContain('8081');
    expect(runIn(outside, ['busybox', 'wget', '-q', '-O', '-', 'http://192.0.2.1:8081/id'], undefined, 2000).status).not.toBe(0);
    expect(runner.result(list.name, attachment)).toBeUndefined();
    // DEL of what is gone is not an error (CNI spec), and CHECK of it says so
    await runner.del(list, attachment);
    await expect(runner.check(list, attachment)).rejects.toThrow('cni CHECK cni-c1 on network tsrun-cni-e2e: not attached');
    // the bridge plugin keeps its bridge and portmap its top-level chains, as they do under any runtime
    expect(rulesBefore.length).toBeLessThanOrEqual(rulesAfter.length);
  });

  it('a plugin failure is an EngineError naming the plugin, and leaves nothing behind', async () => {
    const c2 = ns('cni2');
    const linksBefore = linkNames(host);
    const broken = conflist(join(dir, 'host-local-bad'), '10.98.0.0/33');
    await expect(runner.add(broken, { containerId: 'cni-c2', netns: nsPath(c2), ifName: 'eth0' }))
      .rejects.toThrow(/^cni ADD cni-c2 to network tsrun-cni-e2e: plugin bridge: .*10\.98\.0\.0\/33/);
    expect(linkNames(host).filter((l) => !linksBefore.includes(l) && l !== 'cnit0')).toEqual([]);
    expect(runIn(c2, ['ip', '-o', 'link']).out).not.toContain('eth0');
    expect(existsSync(join(dir, 'cache', 'tsrun-cni-e2e-cni-c2-eth0.json'))).toBe(false);

    const missing = parseConfList({ cniVersion: '1.0.0', name: 'nope', plugins: [{ type: 'no-such-plugin' }] });
    await expect(runner.add(missing, { containerId: 'cni-c2', netns: nsPath(c2), ifName: 'eth0' }))
      .rejects.toThrow('cni ADD cni-c2 to network nope: plugin no-such-plugin: not found in /usr/lib/cni');
  });

  it('the loopback plugin brings lo up in the container', async () => {
    const c3 = ns('cni3');
    runIn(c3, ['ip', 'link', 'set', 'lo', 'down']);
    const lo = parseConfList({ cniVersion: '1.0.0', name: 'lo', plugins: [{ type: 'loopback' }] });
    const res = await runner.add(lo, { containerId: 'cni-c3', netns: nsPath(c3), ifName: 'lo' });
    expect(res.interfaces?.[0]?.name).toBe('lo');
    expect(runIn(c3, ['ip', 'link', 'show', 'lo']).out).toContain('UP');
    await runner.del(lo, { containerId: 'cni-c3', netns: nsPath(c3), ifName: 'lo' });
  });
});
