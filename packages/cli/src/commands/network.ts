/**
 * docker network over NetworkService. connect and disconnect go to the network
 * manager directly (the engine API has no container-level connect yet): connect
 * needs the container's network namespace, found from its pid, so the container
 * must be running.
 */
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Network } from '../client/wire.js';
import type { Context, Status } from '../context.js';
import { FlagError } from '../errors.js';
import { parseFilters } from '../flags/env.js';
import { parseInteger } from '../flags/units.js';
import { listFormat } from '../render/format.js';
import { goTimeString, shortId } from '../render/humanize.js';
import { confirm, doing, eachTarget, out } from './common.js';
import { inspectObjects } from './inspect.js';

export const NETWORKS_LAYOUT = {
  table: '{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', CreatedAt: 'CREATED AT', Labels: 'LABELS' },
};

export function networkRow(n: Network, trunc: boolean): Record<string, string> {
  return {
    CreatedAt: goTimeString(n.created), Driver: n.driver || 'bridge', ID: trunc ? shortId(n.id) : n.id, IPv6: 'false', Internal: 'false',
    Labels: '', Name: n.name, Scope: 'local',
  };
}

function matches(n: Network, filters: Record<string, { values: string[] }>): boolean {
  return Object.entries(filters).every(([key, { values }]) => values.some((v) => {
    switch (key) {
      case 'name': return n.name.includes(v);
      case 'id': return n.id.startsWith(v);
      case 'driver': return (n.driver || 'bridge') === v;
      case 'type': return v === 'custom' ? !n.isDefault : n.isDefault;
      default: throw new FlagError('-f, --filter', `${key}=${v}`, `invalid filter ${JSON.stringify(key)}: expected name, id, driver or type`);
    }
  }));
}

export async function networkCreate(ctx: Context, name: string, opts: { driver: string; subnet?: string; gateway?: string; mtu?: string }): Promise<Status> {
  if (opts.driver !== 'bridge') throw new FlagError('-d, --driver', opts.driver, 'tsd has the bridge driver only');
  if (opts.subnet !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(opts.subnet)) throw new FlagError('--subnet', opts.subnet, 'expected an IPv4 CIDR such as 10.77.0.0/24');
  if (opts.gateway !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(opts.gateway)) throw new FlagError('--gateway', opts.gateway, 'expected an IPv4 address');
  const mtu = opts.mtu === undefined ? 0 : parseInteger(opts.mtu, '--mtu', 68);
  const d = await ctx.daemon();
  const r = await doing(`network create ${name}`, () => d.call(d.networks, 'CreateNetwork', { name, subnet: opts.subnet ?? '', gateway: opts.gateway ?? '', mtu }));
  out(ctx, `${r?.network?.id ?? name}\n`);
  return 0;
}

export async function networkLs(ctx: Context, opts: { quiet?: boolean; trunc: boolean; filter: string[]; format?: string }): Promise<Status> {
  const filters = parseFilters(opts.filter);
  const render = listFormat(opts.format, NETWORKS_LAYOUT);
  const d = await ctx.daemon();
  const r = await doing('network ls', () => d.call(d.networks, 'ListNetworks', {}));
  const rows = (r?.networks ?? []).filter((n) => matches(n, filters)).sort((a, b) => a.name.localeCompare(b.name)).map((n) => networkRow(n, opts.trunc));
  out(ctx, opts.quiet ? rows.map((row) => `${row['ID']}\n`).join('') : render(rows));
  return 0;
}

export async function networkInspect(ctx: Context, names: string[], opts: { format?: string }): Promise<Status> {
  return inspectObjects(ctx, names, ['network'], opts.format);
}

export async function networkRm(ctx: Context, names: string[]): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'network rm', names, async (name) => {
    await d.call(d.networks, 'RemoveNetwork', { name });
    return name;
  });
}

export async function networkConnect(ctx: Context, network: string, container: string, opts: { alias: string[]; ip?: string }): Promise<Status> {
  const d = await ctx.daemon();
  await doing(`network connect ${network} ${container}`, async () => {
    const info = await d.call(d.containers, 'Inspect', { id: container });
    if (!info?.state?.running || !info.state.pid) throw new EngineError('failed_precondition', `container ${container} is not running`);
    await d.call(d.networks, 'Connect', {
      network, containerId: info.id, netnsPath: `/proc/${info.state.pid}/ns/net`, name: info.name.replace(/^\//, ''), aliases: opts.alias,
      hostname: info.config?.hostname ?? '', ip: opts.ip ?? '', ifName: '', dns: null,
    });
  });
  return 0;
}

export async function networkDisconnect(ctx: Context, network: string, container: string): Promise<Status> {
  const d = await ctx.daemon();
  await doing(`network disconnect ${network} ${container}`, async () => {
    const info = await d.call(d.containers, 'Inspect', { id: container });
    await d.call(d.networks, 'Disconnect', { network, containerId: info!.id });
  });
  return 0;
}

export async function networkPrune(ctx: Context, opts: { force?: boolean }): Promise<Status> {
  if (!opts.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) return 0;
  const d = await ctx.daemon();
  const r = await doing('network prune', () => d.call(d.networks, 'ListNetworks', {}));
  const unused = (r?.networks ?? []).filter((n) => !n.isDefault && n.endpoints.length === 0);
  const removed: string[] = [];
  for (const n of unused) {
    try {
      await d.call(d.networks, 'RemoveNetwork', { name: n.name });
      removed.push(n.name);
    } catch (err) {
      // a container joined it since the list: it is in use, so not pruned
      if (!(err instanceof EngineError && err.code === 'failed_precondition')) throw err;
    }
  }
  if (removed.length > 0) out(ctx, `Deleted Networks:\n${removed.map((n) => `${n}\n`).join('')}`);
  return 0;
}
