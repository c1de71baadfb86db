/** docker logs over the Logs stream. */
import type { Context, Status } from '../context.js';
import { FlagError } from '../errors.js';
import { parseTimestamp } from '../flags/units.js';
import { doing } from './common.js';

export interface LogsFlags {
  follow?: boolean;
  tail: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

export function logsRequest(id: string, flags: LogsFlags, now: Date = new Date()) {
  let tail = -1;
  if (flags.tail !== 'all') {
    if (!/^\d+$/.test(flags.tail)) throw new FlagError('-n, --tail', flags.tail, 'expected a number of lines or "all"');
    tail = Number(flags.tail);
  }
  return {
    id,
    follow: flags.follow ?? false,
    tail,
    since: flags.since === undefined ? '' : parseTimestamp(flags.since, '--since', now),
    until: flags.until === undefined ? '' : parseTimestamp(flags.until, '--until', now),
    stdout: true,
    stderr: true,
  };
}

export async function logs(ctx: Context, id: string, flags: LogsFlags): Promise<Status> {
  const request = logsRequest(id, flags);
  const d = await ctx.daemon();
  await doing(`logs ${id}`, async () => {
    for await (const r of d.read(() => d.containers.Logs(request))) {
      const stream = r.stream === 'stderr' ? ctx.io.stderr : ctx.io.stdout;
      if (flags.timestamps) stream.write(`${r.time} `);
      stream.write(r.data);
    }
  });
  return 0;
}
