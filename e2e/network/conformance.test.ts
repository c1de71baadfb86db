// One conformance suite (packages/network-manager/src/testsuite.ts) run against the
// local BridgeNetworkManager and against the gRPC proxy over a unix socket, each in
// a private "host" netns of its own, as root.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import {
  addNetworkService, BridgeNetworkManager, GrpcNetworkManager, type NetworkManager,
} from '../../packages/network-manager/src/index.ts';
import { networkManagerConformance, type ConformanceFixture } from '../../packages/network-manager/src/testsuite.ts';
import { addNetns, delNetns, ip, linkNames, nsPath } from '../lib/netns.ts';

interface Env {
  namespaces: string[];
  dir: string;
  cleanup: (() => Promise<void>)[];
}

async function localFixture(env: Env, tag: string): Promise<{ fixture: ConformanceFixture; local: BridgeNetworkManager }> {
  const host = addNetns(tag);
  env.namespaces.push(host);
  env.dir = mkdtempSync(join(tmpdir(), `tsrun-net-${tag}-`));
  const local = new BridgeNetworkManager({ dataDir: join(env.dir, 'data'), hostNetns: nsPath(host), defaultSubnet: '172.30.0.0/16' });
  await local.init();
  env.cleanup.push(() => local.close());
  const fixture: ConformanceFixture = {
    manager: local,
    newContainerNetns: (t) => {
      const n = addNetns(t);
      env.namespaces.push(n);
      return nsPath(n);
    },
    hostLinks: () => linkNames(host),
    containerLinks: (p) => (JSON.parse(ip('-j', '-n', p.replace('/run/netns/', ''), 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname),
  };
  return { fixture, local };
}

async function teardown(env: Env): Promise<void> {
  for (const c of env.cleanup.reverse()) await c();
  for (const n of env.namespaces.reverse()) delNetns(n);
  if (env.dir) rmSync(env.dir, { recursive: true, force: true });
}

const local: Env = { namespaces: [], dir: '', cleanup: [] };
networkManagerConformance('local', async () => (await localFixture(local, 'conf-local')).fixture, () => teardown(local));

const remote: Env = { namespaces: [], dir: '', cleanup: [] };
networkManagerConformance('gRPC proxy over a unix socket', async () => {
  const { fixture, local: served } = await localFixture(remote, 'conf-grpc');
  const server = new Server();
  addNetworkService(server, served);
  const socket = join(remote.dir, 'network.sock');
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  const client = new GrpcNetworkManager(`unix://${socket}`);
  remote.cleanup.push(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });
  const manager: NetworkManager = client;
  return { ...fixture, manager };
}, () => teardown(remote));
