/** docker top over ContainerService.Top. */
import type { Context, Status } from '../context.js';
import { table } from '../render/table.js';
import { doing, out } from './common.js';

export async function top(ctx: Context, id: string, psArgs: string[]): Promise<Status> {
  const d = await ctx.daemon();
  const r = (await doing(`top ${id}`, () => d.call(d.containers, 'Top', { id, psArgs: psArgs.join(' ') })))!;
  out(ctx, table(r.titles, r.processes.map((p) => p.values)));
  return 0;
}
