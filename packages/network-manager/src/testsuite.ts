/**
 * The NetworkManager conformance suite: run against the local implementation and
 * the gRPC proxy alike, so that a transport bug (a dropped field, a lost error
 * code) shows up as a failed test. It needs root and network namespaces, so it is
 * called from e2e/network/; the fixture says how to make "containers" and how to
 * look at the kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type ErrorCode } from '@tsrun/oci-spec';
import type { EndpointInfo, NetworkManager } from './types.js';

export interface ConformanceFixture {
  /** the manager under test, its default network already created */
  readonly manager: NetworkManager;
  /** a fresh network namespace standing in for a container: its path */
  newContainerNetns(tag: string): string;
  /** link names in the manager's host namespace */
  hostLinks(): string[];
  /** link names in a container's namespace */
  containerLinks(netnsPath: string): string[];
}

/** Awaits a rejection and checks that it is an EngineError with `code` and a message containing `text`. */
async function expectError(p: Promise<unknown>, code: ErrorCode, text: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, `expected ${code}: ${text}`).toBeInstanceOf(EngineError);
  expect({ code: (err as EngineError).code, message: (err as EngineError).message })
    .toEqual({ code, message: expect.stringContaining(text) });
}

export function networkManagerConformance(name: string, setup: () => Promise<ConformanceFixture>, teardown: () => Promise<void>): void {
  describe(`NetworkManager conformance: ${name}`, () => {
    let f: ConformanceFixture;
    let mgr: NetworkManager;
    beforeAll(async () => {
      f = await setup();
      mgr = f.manager;
    });
    afterAll(teardown);

    it('creates, lists, inspects and removes networks', async () => {
      const n = await mgr.createNetwork({ name: 'conf-a', subnet: '10.81.0.0/24', mtu: 1400 });
      expect(n).toEqual({
        name: 'conf-a', id: expect.stringMatching(/^[0-9a-f]{64}$/), driver: 'bridge', bridge: expect.any(String),
        subnet: '10.81.0.0/24', gateway: '10.81.0.1', mtu: 1400, isDefault: false, created: expect.any(String), endpoints: [],
      });
      expect(Number.isNaN(Date.parse(n.created))).toBe(false);
      expect(await mgr.inspectNetwork('conf-a')).toEqual(n);
      const all = await mgr.listNetworks();
      expect(all).toContainEqual(n);
      expect(all.filter((x) => x.isDefault)).toHaveLength(1);
      expect(f.hostLinks()).toContain(n.bridge);

      const withGateway = await mgr.createNetwork({ name: 'conf-gw', subnet: '10.85.0.0/24', gateway: '10.85.0.254' });
      expect([withGateway.gateway, withGateway.mtu]).toEqual(['10.85.0.254', 1500]);

      await mgr.removeNetwork('conf-a');
      await mgr.removeNetwork('conf-gw');
      await expectError(mgr.inspectNetwork('conf-a'), 'not_found', 'network conf-a: not found');
      expect(f.hostLinks()).not.toContain(n.bridge);
    });

    it('refuses bad input with the error code and message of the local implementation, changing nothing', async () => {
      await mgr.createNetwork({ name: 'conf-b', subnet: '10.82.0.0/24' });
      const before = await mgr.listNetworks();
      const links = f.hostLinks();
      await expectError(mgr.createNetwork({ name: 'conf-x', subnet: '10.83.0.0/40' }), 'invalid_argument', 'subnet "10.83.0.0/40": prefix length must be 0-32');
      await expectError(mgr.createNetwork({ name: 'conf-x', subnet: 'nonsense' }), 'invalid_argument', 'not a CIDR');
      await expectError(mgr.createNetwork({ name: 'conf-x', subnet: '10.82.0.128/25' }), 'invalid_argument', 'subnet 10.82.0.128/25: overlaps 10.82.0.0/24 of network conf-b');
      await expectError(mgr.createNetwork({ name: 'conf-x', subnet: '10.83.0.0/24', gateway: '10.84.0.1' }), 'invalid_argument', 'gateway 10.84.0.1: not a host address');
      await expectError(mgr.createNetwork({ name: 'conf-x', subnet: '10.83.0.0/24', mtu: 40 }), 'invalid_argument', 'mtu 40 is not 68-65535');
      await expectError(mgr.createNetwork({ name: 'conf-b', subnet: '10.83.0.0/24' }), 'already_exists', 'create network conf-b: already exists');
      await expectError(mgr.createNetwork({ name: 'bad name', subnet: '10.83.0.0/24' }), 'invalid_argument', 'network "bad name": not a valid name');
      await expectError(mgr.inspectNetwork('conf-none'), 'not_found', 'network conf-none: not found');
      await expectError(mgr.removeNetwork('conf-none'), 'not_found', 'network conf-none: not found');
      const dflt = before.find((n) => n.isDefault)!;
      await expectError(mgr.removeNetwork(dflt.name), 'failed_precondition', 'the default network cannot be removed');
      await expectError(mgr.connect({ network: 'conf-none', containerId: 'x', netnsPath: '/proc/self/ns/net' }), 'not_found', 'network conf-none: not found');
      await expectError(mgr.connect({ network: 'conf-b', containerId: 'x', netnsPath: '/run/netns/no-such-ns' }), 'invalid_argument', 'netns "/run/netns/no-such-ns" does not exist');
      await expectError(mgr.disconnect('conf-b', 'x'), 'not_found', 'disconnect x from network conf-b: not connected');
      await expectError(mgr.publishPorts({ containerId: 'x', ports: ['80:80'] }), 'not_found', 'publish ports of x: not connected');
      expect(await mgr.listNetworks()).toEqual(before);
      expect(f.hostLinks()).toEqual(links);
    });

    it('connects containers, publishes their ports, and disconnects them without a trace', async () => {
      const links = f.hostLinks();
      const { bridge } = await mgr.inspectNetwork('conf-b');
      const c1 = f.newContainerNetns('conf1');
      const c2 = f.newContainerNetns('conf2');
      const ep1 = await mgr.connect({
        network: 'conf-b', containerId: 'conf-c1', netnsPath: c1, name: 'web', aliases: ['www', 'w'], hostname: 'h1', dns: ['192.0.2.53'],
      });
      expect(ep1).toEqual({
        network: 'conf-b', containerId: 'conf-c1', name: 'web', aliases: ['www', 'w'], hostname: 'h1', netnsPath: c1, ifName: 'eth0',
        hostIf: expect.stringMatching(/^tsv[0-9a-f]{8}$/), address: '10.82.0.2', prefix: 24, gateway: '10.82.0.1',
        mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/), dns: ['192.0.2.53'], filesDir: expect.any(String),
      });
      const ep2 = await mgr.connect({ network: 'conf-b', containerId: 'conf-c2', netnsPath: c2, ip: '10.82.0.50', ifName: 'net0' });
      expect([ep2.address, ep2.ifName, ep2.name, ep2.aliases, ep2.dns]).toEqual(['10.82.0.50', 'net0', 'conf-c2', [], undefined]);
      const byId = (a: EndpointInfo, b: EndpointInfo): number => a.containerId.localeCompare(b.containerId);
      expect([...(await mgr.inspectNetwork('conf-b')).endpoints].sort(byId)).toEqual([ep1, ep2]);
      expect(f.containerLinks(c1)).toContain('eth0');
      expect(f.containerLinks(c2)).toContain('net0');
      expect(f.hostLinks()).toEqual(expect.arrayContaining([ep1.hostIf, ep2.hostIf]));

      await expectError(mgr.connect({ network: 'conf-b', containerId: 'conf-c1', netnsPath: c1 }), 'already_exists', 'connect conf-c1 to network conf-b: already connected');
      await expectError(mgr.connect({ network: 'conf-b', containerId: 'conf-c3', netnsPath: c2, ip: '10.82.0.50' }), 'already_exists', 'ip 10.82.0.50: already in use on network conf-b (by conf-c2)');
      await expectError(mgr.connect({ network: 'conf-b', containerId: 'conf-c3', netnsPath: c2, ip: '10.9.0.5' }), 'invalid_argument', 'ip 10.9.0.5: outside subnet 10.82.0.0/24');
      await expectError(mgr.removeNetwork('conf-b'), 'failed_precondition', 'remove network conf-b: 2 container(s) still attached');

      expect(await mgr.publishPorts({ containerId: 'conf-c1', ports: ['127.0.0.1:8080-8081:80-81', '5353:53/udp'] })).toEqual([
        { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
        { hostIp: '127.0.0.1', hostPort: 8081, containerPort: 81, protocol: 'tcp' },
        { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' },
      ]);
      await expectError(mgr.publishPorts({ containerId: 'conf-c2', ports: ['8081:80'] }), 'already_exists', 'publish 0.0.0.0:8081/tcp: port already published (127.0.0.1:8081/tcp for conf-c1)');
      await expectError(mgr.publishPorts({ containerId: 'conf-c2', ports: ['9001-9000:80-81'] }), 'invalid_argument', 'host port range 9001-9000 ends before it starts');
      await expectError(mgr.publishPorts({ containerId: 'conf-c2', ports: ['9000:80'], network: 'conf-none' }), 'not_found', 'not connected to network conf-none');
      expect(await mgr.publishPorts({ containerId: 'conf-c2', ports: ['8082:80'], network: 'conf-b' })).toHaveLength(1);
      await mgr.unpublishPorts('conf-c1');
      await mgr.unpublishPorts('conf-c1');
      expect(await mgr.publishPorts({ containerId: 'conf-c2', ports: ['8081:81'] })).toHaveLength(1);

      await mgr.disconnect('conf-b', 'conf-c1');
      await mgr.disconnect('conf-b', 'conf-c2');
      expect((await mgr.inspectNetwork('conf-b')).endpoints).toEqual([]);
      expect(f.containerLinks(c1)).not.toContain('eth0');
      expect(f.containerLinks(c2)).not.toContain('net0');
      await mgr.removeNetwork('conf-b');
      expect(f.hostLinks().sort()).toEqual(links.filter((l) => l !== bridge).sort());
    });

    it('reconciles a consistent state without changing anything', async () => {
      const before = await mgr.listNetworks();
      expect(await mgr.reconcile()).toEqual({ removedLinks: [], recreatedBridges: [], droppedEndpoints: [], releasedAddresses: [] });
      expect(await mgr.listNetworks()).toEqual(before);
    });
  });
}
