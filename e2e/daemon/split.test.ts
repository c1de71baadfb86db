// One service alone on its own socket: a network-only tsd, and a gateway tsd
// that hosts everything else and reaches the network service through its gRPC
// client. tsctl's network commands go to the gateway, containers get addresses
// from the separate network service.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBusyboxImage } from '../../tools/make-busybox-image.ts';
import { GrpcNetworkManager } from '../../packages/network-manager/src/index.ts';
import { startTsd, TSCTL_BIN, type Tsd } from '../lib/tsd.ts';

let network: Tsd;
let gateway: Tsd;
let work: string;

function tsctl(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [TSCTL_BIN, ...args], { env: gateway.env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsd-split-'));
  await makeBusyboxImage(join(work, 'busybox.tar'));
  network = await startTsd(['--service', 'network'], { socketName: 'network.sock' });
  gateway = await startTsd(['--network-addr', network.host], { netns: network.netns });
}, 120_000);

afterAll(async () => {
  await gateway?.destroy();
  await network?.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('a service on its own socket', () => {
  it('serves networks to the gateway and to tsctl', async () => {
    const loaded = tsctl(['load', '-q', '-i', join(work, 'busybox.tar')]);
    expect([loaded.code, loaded.err]).toEqual([0, '']);
    const created = tsctl(['network', 'create', '--subnet', '10.123.0.0/24', 'back']);
    expect([created.code, created.err]).toEqual([0, '']);
    expect(tsctl(['network', 'ls']).out).toMatch(/\sback\s/);
    // the network service itself holds it
    const direct = new GrpcNetworkManager(network.host);
    try {
      expect((await direct.listNetworks()).map((n) => n.name).sort()).toEqual(['back', 'bridge']);
    } finally {
      direct.close();
    }
    const run = tsctl(['run', '--rm', '--network', 'back', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0']);
    expect([run.code, run.err]).toEqual([0, '']);
    expect(run.out).toContain('inet 10.123.0.');
    expect(tsctl(['network', 'rm', 'back']).code).toBe(0);
    expect(tsctl(['network', 'ls']).out).not.toMatch(/\sback\s/);
  });
});
