// tsx tools/bench/network.ts [--runs N] [--ports N] [--port-runs N]
// Attach + detach of one container (a veth into its netns, an address, the default
// route, loopback up) and publishing a range of ports, by tsrun's network manager and
// by Debian's CNI plugins (bridge + host-local for the attach, portmap for the ports)
// doing the same work, interleaved in one run. Everything happens inside network
// namespaces this bench makes and removes. Reports median and p99, and the ratios.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BridgeNetworkManager, CniRunner, parseConfList, type CniResult } from '../../packages/network-manager/src/index.ts';
import { pluginEnv, pluginStdin } from '../../packages/network-manager/src/cni-protocol.ts';
import { renderRuleset } from '../../packages/network-manager/src/nft-ruleset.ts';
import { ensureDebianPackages, percentile } from './common.ts';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '100' }, ports: { type: 'string', default: '1000' },
  // portmap takes about a minute per 1,000 mappings here
  'port-runs': { type: 'string', default: '3' },
} });
const runs = Number(values.runs);
const nPorts = Number(values.ports);
ensureDebianPackages(['containernetworking-plugins', 'nftables', 'iproute2', 'iptables']);

const work = mkdtempSync(join(tmpdir(), 'tsrun-bench-net-'));
const namespaces: string[] = [];
function netns(tag: string): string {
  const name = `tsrun-bench-${process.pid}-${tag}`;
  execFileSync('ip', ['netns', 'add', name]);
  namespaces.push(name);
  return `/run/netns/${name}`;
}
function cleanup(): void {
  for (const n of namespaces.reverse()) execFileSync('ip', ['netns', 'del', n]);
  rmSync(work, { recursive: true, force: true });
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const stats = (s: number[]): string => `median ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`;

try {
  // tsrun: its own host netns and container netns
  const tsHost = netns('ts-host');
  const tsCtr = netns('ts-ctr');
  const mgr = new BridgeNetworkManager({ dataDir: join(work, 'tsrun'), hostNetns: tsHost, defaultSubnet: '10.200.0.0/16' });
  await mgr.init();

  // CNI: the same, with Debian's plugins
  const cniHost = netns('cni-host');
  const cniCtr = netns('cni-ctr');
  const cni = new CniRunner({ pluginDirs: ['/usr/lib/cni'], hostNetns: cniHost, cacheDir: join(work, 'cni-cache') });
  const attachList = parseConfList({
    cniVersion: '1.0.0', name: 'bench',
    plugins: [{
      type: 'bridge', bridge: 'cnib0', isGateway: true, mtu: 1500,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.201.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(work, 'host-local') },
    }, { type: 'loopback' }],
  });
  // loopback acts on `lo`, not on the bridge's interface: it is its own attachment, as CNI runtimes do it
  const lo = parseConfList({ cniVersion: '1.0.0', name: 'bench-lo', plugins: [{ type: 'loopback' }] });
  const bridgeOnly = { ...attachList, plugins: attachList.plugins.slice(0, 1) };
  const a = { containerId: 'bench', netns: cniCtr, ifName: 'eth0' };

  const samples = { tsAttach: [] as number[], tsDetach: [] as number[], cniAdd: [] as number[], cniDel: [] as number[] };
  for (let i = 0; i < runs + 5; i++) {
    const warm = i < 5;
    let t = process.hrtime.bigint();
    await mgr.connect({ network: 'bridge', containerId: 'bench', netnsPath: tsCtr });
    if (!warm) samples.tsAttach.push(ms(t));
    t = process.hrtime.bigint();
    await mgr.disconnect('bridge', 'bench');
    if (!warm) samples.tsDetach.push(ms(t));

    t = process.hrtime.bigint();
    await cni.add(bridgeOnly, a);
    await cni.add(lo, { ...a, ifName: 'lo' });
    if (!warm) samples.cniAdd.push(ms(t));
    t = process.hrtime.bigint();
    await cni.del(lo, { ...a, ifName: 'lo' });
    await cni.del(bridgeOnly, a);
    if (!warm) samples.cniDel.push(ms(t));
  }

  // ports: tsrun publishes a range in one nft transaction; CNI's portmap gets the same mappings
  const portRuns = Number(values['port-runs']);
  const tsPorts: number[] = [];
  const cniPorts: number[] = [];
  const cniPortsDel: number[] = [];
  let tsRssDelta = 0;
  await mgr.connect({ network: 'bridge', containerId: 'bench', netnsPath: tsCtr });
  const prev: CniResult = await cni.add(bridgeOnly, a);
  const portmap = { type: 'portmap', capabilities: { portMappings: true } };
  const portList = parseConfList({ cniVersion: '1.0.0', name: 'bench', plugins: [portmap] });
  const mappings = Array.from({ length: nPorts }, (_, i) => ({ hostPort: 20000 + i, containerPort: 20000 + i, protocol: 'tcp' }));
  let nftRss = 0;
  let portmapRss = 0;
  for (let i = 0; i < portRuns; i++) {
    const rss0 = process.memoryUsage().rss;
    let t = process.hrtime.bigint();
    await mgr.publishPorts({ containerId: 'bench', ports: [`20000-${20000 + nPorts - 1}:20000-${20000 + nPorts - 1}/tcp`] });
    tsPorts.push(ms(t));
    tsRssDelta = Math.max(tsRssDelta, process.memoryUsage().rss - rss0);
    await mgr.unpublishPorts('bench');

    const stdin = JSON.stringify(pluginStdin(portList, portmap, prev, { portMappings: mappings }));
    const argv = ['nsenter', `--net=${cniHost}`, '/usr/lib/cni/portmap'];
    t = process.hrtime.bigint();
    execFileSync(argv[0]!, argv.slice(1), { input: stdin, env: pluginEnv('ADD', a, ['/usr/lib/cni']), stdio: ['pipe', 'pipe', 'pipe'] });
    cniPorts.push(ms(t));
    t = process.hrtime.bigint();
    execFileSync(argv[0]!, argv.slice(1), { input: stdin, env: pluginEnv('DEL', a, ['/usr/lib/cni']), stdio: ['pipe', 'pipe', 'pipe'] });
    cniPortsDel.push(ms(t));
  }
  // peak RSS of the one process that did the work: tsrun's nft transaction (the same script publishPorts renders), portmap
  {
    const script = renderRuleset([{ bridge: 'tsd0', subnet: '10.200.0.0/16' }], mappings.map((m) => ({
      mapping: { hostIp: '0.0.0.0', hostPort: m.hostPort, containerPort: m.containerPort, protocol: 'tcp' as const }, containerIp: '10.200.0.2',
    })));
    nftRss = peakRss(['nsenter', `--net=${tsHost}`, 'nft', '-f', '-'], script, { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin' });
    const stdin = JSON.stringify(pluginStdin(portList, portmap, prev, { portMappings: mappings }));
    portmapRss = peakRss(['nsenter', `--net=${cniHost}`, '/usr/lib/cni/portmap'], stdin, pluginEnv('ADD', a, ['/usr/lib/cni']));
    peakRss(['nsenter', `--net=${cniHost}`, '/usr/lib/cni/portmap'], stdin, pluginEnv('DEL', a, ['/usr/lib/cni']));
  }
  await mgr.disconnect('bridge', 'bench');
  await cni.del(bridgeOnly, a);
  await mgr.close();

  const ratio = (x: number[], y: number[]): string => {
    const r = percentile(x, 50) / percentile(y, 50);
    return r >= 0.01 ? `${r.toFixed(2)}×` : `1/${Math.round(1 / r)}`;
  };
  const tsCycle = samples.tsAttach.map((v, i) => v + samples.tsDetach[i]!);
  const cniCycle = samples.cniAdd.map((v, i) => v + samples.cniDel[i]!);
  console.log(`attach + detach of one container, ${runs} runs (after 5 warm-up), interleaved:`);
  console.log(`  tsrun attach  ${stats(samples.tsAttach)}   | CNI bridge+host-local+loopback ADD ${stats(samples.cniAdd)}   | tsrun/CNI ${ratio(samples.tsAttach, samples.cniAdd)}`);
  console.log(`  tsrun detach  ${stats(samples.tsDetach)}   | CNI DEL ${stats(samples.cniDel)}   | tsrun/CNI ${ratio(samples.tsDetach, samples.cniDel)}`);
  console.log(`  tsrun cycle   ${stats(tsCycle)}   | CNI cycle ${stats(cniCycle)}   | tsrun/CNI ${ratio(tsCycle, cniCycle)}`);
  console.log(`publishing ${nPorts} ports (tcp range), ${portRuns} runs:`);
  console.log(`  tsrun publish ${stats(tsPorts)} (one nft transaction; peak RSS of that nft ${nftRss} KiB; daemon RSS grew by at most ${(tsRssDelta / 1024).toFixed(0)} KiB)`);
  console.log(`  CNI portmap ADD ${stats(cniPorts)} (peak RSS of portmap ${portmapRss} KiB), DEL ${stats(cniPortsDel)}`);
  console.log(`  tsrun/CNI ${ratio(tsPorts, cniPorts)}; resident processes per published port: 0 for both`);
} finally {
  cleanup();
}

/** Runs argv under GNU time; its peak resident memory (KiB). */
function peakRss(argv: string[], input: string, env: Record<string, string>): number {
  const out = join(work, 'time.out');
  execFileSync('/usr/bin/time', ['-f', 'RSS=%M', '-o', out, ...argv], { input, env, stdio: ['pipe', 'ignore', 'pipe'] });
  return Number(/RSS=(\d+)/.exec(readFileSync(out, 'utf8'))?.[1] ?? 0);
}
