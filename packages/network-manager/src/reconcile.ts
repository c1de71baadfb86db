import type { Ipam } from './ipam.js';
import { bridgeUpScript, deleteLinks, listLinks, runIpBatch } from './netlink-batch.js';
import type { NetworkStore } from './network-store.js';
import type { ReconcileReport } from './types.js';

/** Names the manager gives its links: anything of this shape that the store does not know is a leftover. */
const OURS = /^(tsv|tsb-)[0-9a-f]{8}$/;

export interface ReconcileContext {
  readonly store: NetworkStore;
  readonly ipam: Ipam;
  readonly hostNetns: string | undefined;
  readonly sysctls: (bridge: string) => Promise<void>;
}

/**
 * Makes the kernel and the store agree after a crash: bridges the store has but the
 * kernel lost are recreated; endpoints whose veth is gone (the container's namespace
 * died) are dropped with their addresses and ports; links of ours the store does not
 * know are deleted; addresses and pools nothing owns are released. The caller then
 * re-renders the nftables table from the store.
 */
export async function reconcileState(ctx: ReconcileContext): Promise<ReconcileReport> {
  const present = new Set((await listLinks(ctx.hostNetns)).map((l) => l.ifname));
  const recreatedBridges: string[] = [];
  const droppedEndpoints: string[] = [];
  const releasedAddresses: string[] = [];
  const known = new Set<string>();

  for (const n of ctx.store.networks()) {
    known.add(n.bridge);
    if (!present.has(n.bridge)) {
      const prefix = Number(n.subnet.split('/')[1]);
      await runIpBatch(`reconcile network ${n.name}: bridge ${n.bridge}`, ctx.hostNetns, bridgeUpScript({ bridge: n.bridge, gateway: n.gateway, prefix, mtu: n.mtu }));
      await ctx.sysctls(n.bridge);
      recreatedBridges.push(n.bridge);
    }
    const endpoints = { ...n.endpoints };
    for (const ep of Object.values(n.endpoints)) {
      if (present.has(ep.hostIf)) {
        known.add(ep.hostIf);
        continue;
      }
      delete endpoints[ep.containerId];
      droppedEndpoints.push(ep.containerId);
      if (ctx.store.findPorts(ep.containerId)?.network === n.name) ctx.store.deletePorts(ep.containerId);
    }
    if (Object.keys(endpoints).length !== Object.keys(n.endpoints).length) ctx.store.saveNetwork({ ...n, endpoints });
  }

  const strays = [...present].filter((name) => OURS.test(name) && !known.has(name));
  await deleteLinks('reconcile: remove stray links', ctx.hostNetns, strays);

  const networks = new Map(ctx.store.networks().map((n) => [n.name, n]));
  for (const pool of ctx.ipam.pools()) {
    const n = networks.get(pool.network);
    if (!n) {
      releasedAddresses.push(...Object.keys(pool.allocations));
      ctx.ipam.removePool(pool.network, true);
      continue;
    }
    for (const [address, owner] of Object.entries(pool.allocations)) {
      if (n.endpoints[owner]) continue;
      ctx.ipam.release(pool.network, owner);
      releasedAddresses.push(address);
    }
  }
  return { removedLinks: strays, recreatedBridges, droppedEndpoints, releasedAddresses };
}
