/** docker start (with -a/-i) and attach: one Attach stream, the container's exit status. */
import { EngineError } from '@tsrun/oci-spec/errors';
import { ATTACH_MESSAGES, openSession } from '../client/attach-session.js';
import type { Daemon } from '../client/daemon.js';
import type { Context, Status } from '../context.js';
import { UsageError } from '../errors.js';
import { doing, eachTarget, flagBool } from './common.js';

const PROXIED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

export interface AttachPlan {
  stdin: boolean;
  tty: boolean;
  /** forward the signals tsctl receives to the container (not with a TTY: there ^C is a byte) */
  sigProxy: boolean;
  /** start the container once attached */
  start: boolean;
  startFailure?: (err: unknown) => Error;
}

/**
 * Attaches to `id` (and starts it, once the daemon confirmed the attach), copies the
 * streams until they end, and returns the exit code: the stream's last frame, else Wait's.
 */
export async function attachAndStart(ctx: Context, d: Daemon, id: string, plan: AttachPlan): Promise<Status> {
  await d.ready();
  const session = openSession(d.containers.Attach(), { container: { id } }, ctx.io, { stdin: plan.stdin, tty: plan.tty }, ATTACH_MESSAGES, (e) => d.error(e));
  const proxies: [string, () => void][] = [];
  try {
    await session.attached;
    if (plan.start) {
      try {
        await d.call(d.containers, 'Start', { id });
      } catch (err) {
        session.cancel();
        throw plan.startFailure ? plan.startFailure(err) : err;
      }
    }
    session.resize();
    if (plan.sigProxy && !plan.tty) {
      for (const signal of PROXIED_SIGNALS) {
        const forward = (): void => { d.call(d.containers, 'Kill', { id, signal }).catch(() => {}); };
        process.on(signal, forward);
        proxies.push([signal, forward]);
      }
    }
    const code = await session.done;
    if (code !== undefined) return code;
    const waited = await d.call(d.containers, 'Wait', { id, condition: 'not-running' });
    if (waited?.error) throw new EngineError('internal', waited.error);
    return waited?.statusCode ?? 0;
  } finally {
    for (const [signal, fn] of proxies) process.off(signal, fn);
  }
}

async function ttyOf(d: Daemon, id: string): Promise<{ tty: boolean; openStdin: boolean }> {
  const info = await d.call(d.containers, 'Inspect', { id });
  return { tty: info?.config?.tty ?? false, openStdin: info?.config?.openStdin ?? false };
}

export async function start(ctx: Context, ids: string[], opts: { attach?: boolean; interactive?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  if (!opts.attach && !opts.interactive) {
    return eachTarget(ctx, 'start', ids, async (id) => {
      await d.call(d.containers, 'Start', { id });
      return id;
    });
  }
  if (ids.length > 1) throw new UsageError('you cannot start and attach multiple containers at once');
  const id = ids[0]!;
  return doing(`start ${id}`, async () => {
    const { tty, openStdin } = await ttyOf(d, id);
    return attachAndStart(ctx, d, id, { stdin: (opts.interactive ?? false) && openStdin, tty, sigProxy: true, start: true });
  });
}

export async function attach(ctx: Context, id: string, opts: { stdin: boolean; sigProxy?: boolean | string }): Promise<Status> {
  const d = await ctx.daemon();
  return doing(`attach ${id}`, async () => {
    const { tty, openStdin } = await ttyOf(d, id);
    return attachAndStart(ctx, d, id, { stdin: opts.stdin && openStdin, tty, sigProxy: flagBool(opts.sigProxy ?? true), start: false });
  });
}
