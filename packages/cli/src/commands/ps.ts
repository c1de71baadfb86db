/** docker ps over ContainerService.List. */
import type { Context, Status } from '../context.js';
import { parseFilters } from '../flags/env.js';
import { parseInteger } from '../flags/units.js';
import { PS_LAYOUT, psRow } from '../render/containers.js';
import { listFormat } from '../render/format.js';
import { doing, out } from './common.js';

export interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  filter: string[];
  trunc: boolean;
  last?: string;
  latest?: boolean;
  format?: string;
}

export async function ps(ctx: Context, opts: PsFlags): Promise<Status> {
  const filters = parseFilters(opts.filter);
  const render = listFormat(opts.format, PS_LAYOUT);
  const last = opts.latest ? 1 : opts.last === undefined ? -1 : parseInteger(opts.last, '-n, --last', -1);
  const d = await ctx.daemon();
  const res = await doing('ps', () => d.call(d.containers, 'List', { all: (opts.all ?? false) || last >= 0, filters }));
  let containers = [...(res?.containers ?? [])].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  if (last >= 0) containers = containers.slice(0, last);
  const rows = containers.map((c) => psRow(c, { trunc: opts.trunc }));
  if (opts.quiet) out(ctx, rows.map((r) => `${r.ID}\n`).join(''));
  else out(ctx, render(rows));
  return 0;
}
