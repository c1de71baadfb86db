/**
 * docker stats: one Stats stream per container. CPU % needs two samples, so even
 * --no-stream waits for the second one (about a second), as docker does.
 */
import type { ContainerStats } from '../client/wire.js';
import type { Context, Status } from '../context.js';
import { listFormat } from '../render/format.js';
import { STATS_LAYOUT, statsRow } from '../render/stats.js';
import { doing, out } from './common.js';

const REFRESH_MS = 1000;

export async function stats(ctx: Context, ids: string[], opts: { all?: boolean; stream: boolean; trunc: boolean; format?: string }): Promise<Status> {
  const format = listFormat(opts.format, STATS_LAYOUT);
  const d = await ctx.daemon();
  const targets = ids.length > 0 ? ids
    : ((await doing('stats', () => d.call(d.containers, 'List', { all: opts.all ?? false, filters: {} })))?.containers ?? []).map((c) => c.id);
  const samples = new Map<string, { current?: ContainerStats; previous?: ContainerStats; ended: boolean }>(targets.map((t) => [t, { ended: false }]));
  const render = (): string => format(targets.flatMap((t) => {
    const s = samples.get(t)!;
    return s.current ? [statsRow(s.current, s.previous, opts.trunc)] : [];
  }));
  const readers = targets.map((id) => (async () => {
    const s = samples.get(id)!;
    try {
      for await (const sample of d.read(() => d.containers.Stats({ id, stream: true }))) {
        s.previous = s.current;
        s.current = sample;
        if (!opts.stream && s.previous) break;
      }
    } finally {
      s.ended = true;
    }
  })());
  if (!opts.stream) {
    await doing('stats', () => Promise.all(readers));
    out(ctx, render());
    return 0;
  }
  const clear = ctx.io.stdout.isTTY ? '\u001b[2J\u001b[H' : '';
  const timer = setInterval(() => out(ctx, clear + render()), REFRESH_MS);
  try {
    await doing('stats', () => Promise.all(readers));
  } finally {
    clearInterval(timer);
  }
  return 0;
}
