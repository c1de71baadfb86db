/** docker volume over VolumeService. */
import type { Context, Status } from '../context.js';
import { FlagError } from '../errors.js';
import { parseFilters, parseLabels } from '../flags/env.js';
import { listFormat } from '../render/format.js';
import { humanSize } from '../render/humanize.js';
import { labelsText } from '../render/containers.js';
import { confirm, doing, eachTarget, out } from './common.js';
import { inspectObjects } from './inspect.js';

export const VOLUMES_LAYOUT = {
  table: '{{.Driver}}\t{{.Name}}',
  headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Scope: 'SCOPE', Links: 'LINKS', Size: 'SIZE' },
};

export async function volumeCreate(ctx: Context, name: string | undefined, opts: { driver: string; label: string[] }): Promise<Status> {
  if (opts.driver !== 'local') throw new FlagError('-d, --driver', opts.driver, 'tsd has the local driver only');
  const labels = parseLabels(opts.label, '--label');
  const d = await ctx.daemon();
  const v = await doing(`volume create ${name ?? ''}`.trim(), () => d.call(d.volumes, 'Create', { name: name ?? '', driver: opts.driver, labels }));
  out(ctx, `${v?.name ?? name}\n`);
  return 0;
}

export async function volumeLs(ctx: Context, opts: { quiet?: boolean; filter: string[]; format?: string }): Promise<Status> {
  const filters = parseFilters(opts.filter);
  const render = listFormat(opts.format, VOLUMES_LAYOUT);
  const d = await ctx.daemon();
  const r = await doing('volume ls', () => d.call(d.volumes, 'List', { filters }));
  const rows = (r?.volumes ?? []).sort((a, b) => a.name.localeCompare(b.name)).map((v) => ({
    Driver: v.driver || 'local', Labels: labelsText(v.labels ?? {}), Links: String(v.usedBy.length), Mountpoint: v.mountpoint, Name: v.name, Scope: 'local', Size: 'N/A',
  }));
  out(ctx, opts.quiet ? rows.map((row) => `${row.Name}\n`).join('') : render(rows));
  return 0;
}

export async function volumeInspect(ctx: Context, names: string[], opts: { format?: string }): Promise<Status> {
  return inspectObjects(ctx, names, ['volume'], opts.format);
}

export async function volumeRm(ctx: Context, names: string[], opts: { force?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'volume rm', names, async (name) => {
    await d.call(d.volumes, 'Remove', { name, force: opts.force ?? false });
    return name;
  });
}

export async function volumePrune(ctx: Context, opts: { force?: boolean }): Promise<Status> {
  if (!opts.force && !(await confirm(ctx, 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'))) return 0;
  const d = await ctx.daemon();
  const r = await doing('volume prune', () => d.call(d.volumes, 'Prune', {}));
  if ((r?.removed ?? []).length > 0) out(ctx, `Deleted Volumes:\n${r!.removed.map((v) => `${v}\n`).join('')}\n`);
  out(ctx, `Total reclaimed space: ${humanSize(Number(r?.spaceReclaimed ?? 0))}\n`);
  return 0;
}
