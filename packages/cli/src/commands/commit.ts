/** docker commit over ContainerService.Commit: prints the new image's id. */
import type { Context, Status } from '../context.js';
import { doing, flagBool, out } from './common.js';

export async function commit(ctx: Context, id: string, reference: string | undefined, opts: { author?: string; message?: string; change: string[]; pause?: boolean | string }): Promise<Status> {
  const d = await ctx.daemon();
  const r = await doing(`commit ${id}`, () => d.call(d.containers, 'Commit', {
    id, reference: reference ?? '', author: opts.author ?? '', comment: opts.message ?? '', changes: opts.change, pause: flagBool(opts.pause ?? true),
  }));
  out(ctx, `${r?.imageId}\n`);
  return 0;
}
