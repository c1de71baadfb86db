/** stop, restart, kill, rm, pause, unpause, wait, rename, update: one call per container, docker's output. */
import type { Context, Status } from '../context.js';
import { UsageError } from '../errors.js';
import { parseBytes, parseInteger, parseNanoCpus, parseRestart } from '../flags/units.js';
import { doing, eachTarget } from './common.js';

function timeoutOf(time: string | undefined): number {
  return time === undefined ? -1 : parseInteger(time, '-t, --time', -1);
}

export async function stop(ctx: Context, ids: string[], opts: { time?: string; signal?: string }): Promise<Status> {
  const timeout = timeoutOf(opts.time);
  const d = await ctx.daemon();
  return eachTarget(ctx, 'stop', ids, async (id) => {
    if (opts.signal !== undefined) await d.call(d.containers, 'Kill', { id, signal: opts.signal });
    else await d.call(d.containers, 'Stop', { id, timeout });
    return id;
  });
}

export async function restart(ctx: Context, ids: string[], opts: { time?: string }): Promise<Status> {
  const timeout = timeoutOf(opts.time);
  const d = await ctx.daemon();
  return eachTarget(ctx, 'restart', ids, async (id) => {
    await d.call(d.containers, 'Restart', { id, timeout });
    return id;
  });
}

export async function kill(ctx: Context, ids: string[], opts: { signal?: string }): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'kill', ids, async (id) => {
    await d.call(d.containers, 'Kill', { id, signal: opts.signal ?? '' });
    return id;
  });
}

export async function rm(ctx: Context, ids: string[], opts: { force?: boolean; volumes?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'rm', ids, async (id) => {
    await d.call(d.containers, 'Remove', { id, force: opts.force ?? false, volumes: opts.volumes ?? false });
    return id;
  });
}

export async function pause(ctx: Context, ids: string[]): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'pause', ids, async (id) => {
    await d.call(d.containers, 'Pause', { id });
    return id;
  });
}

export async function unpause(ctx: Context, ids: string[]): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'unpause', ids, async (id) => {
    await d.call(d.containers, 'Unpause', { id });
    return id;
  });
}

export async function wait(ctx: Context, ids: string[]): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'wait', ids, async (id) => {
    const r = await d.call(d.containers, 'Wait', { id, condition: 'not-running' });
    if (r?.error) throw new Error(r.error);
    return String(r?.statusCode ?? 0);
  });
}

export async function rename(ctx: Context, id: string, name: string): Promise<Status> {
  const d = await ctx.daemon();
  await doing(`rename ${id}`, () => d.call(d.containers, 'Rename', { id, name }));
  return 0;
}

export async function update(ctx: Context, ids: string[], opts: { memory?: string; cpus?: string; pidsLimit?: string; restart?: string }): Promise<Status> {
  if (opts.memory === undefined && opts.cpus === undefined && opts.pidsLimit === undefined && opts.restart === undefined) {
    throw new UsageError('update: you must provide one or more flags when using this command');
  }
  const pids = opts.pidsLimit === undefined ? 0 : parseInteger(opts.pidsLimit, '--pids-limit', -1);
  const request = {
    memory: opts.memory === undefined ? 0 : parseBytes(opts.memory, '-m, --memory'),
    nanoCpus: opts.cpus === undefined ? 0 : parseNanoCpus(opts.cpus),
    // the request's 0 means "unchanged"; docker's -1 (unlimited) travels as -1
    pidsLimit: pids,
    restartPolicy: opts.restart === undefined ? null : parseRestart(opts.restart),
  };
  const d = await ctx.daemon();
  return eachTarget(ctx, 'update', ids, async (id) => {
    await d.call(d.containers, 'Update', { id, ...request });
    return id;
  });
}
