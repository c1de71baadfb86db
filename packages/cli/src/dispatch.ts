/**
 * Runs one parsed command: makes its context (the daemon connection on first use),
 * loads its module, and turns what it throws into one line on stderr and an exit
 * status. Errors never leave this module, so the bundle's two files never compare
 * each other's error classes.
 */
import type { ConnectionFlags } from './client/address.js';
import type { Daemon } from './client/daemon.js';
import type { CliIo, Context, Status } from './context.js';
import { exitStatusOf } from './errors.js';

type Action = (ctx: Context, ...args: never[]) => Promise<Status>;

const COMMANDS = {
  run: async () => (await import('./commands/run.js')).run,
  create: async () => (await import('./commands/run.js')).create,
  start: async () => (await import('./commands/start.js')).start,
  attach: async () => (await import('./commands/start.js')).attach,
  stop: async () => (await import('./commands/lifecycle.js')).stop,
  restart: async () => (await import('./commands/lifecycle.js')).restart,
  kill: async () => (await import('./commands/lifecycle.js')).kill,
  rm: async () => (await import('./commands/lifecycle.js')).rm,
  pause: async () => (await import('./commands/lifecycle.js')).pause,
  unpause: async () => (await import('./commands/lifecycle.js')).unpause,
  wait: async () => (await import('./commands/lifecycle.js')).wait,
  rename: async () => (await import('./commands/lifecycle.js')).rename,
  update: async () => (await import('./commands/lifecycle.js')).update,
  ps: async () => (await import('./commands/ps.js')).ps,
  logs: async () => (await import('./commands/logs.js')).logs,
  exec: async () => (await import('./commands/exec.js')).exec,
  inspect: async () => (await import('./commands/inspect.js')).inspect,
  top: async () => (await import('./commands/top.js')).top,
  stats: async () => (await import('./commands/stats.js')).stats,
  commit: async () => (await import('./commands/commit.js')).commit,
  pull: async () => (await import('./commands/pull.js')).pull,
  push: async () => (await import('./commands/pull.js')).push,
  images: async () => (await import('./commands/images.js')).images,
  rmi: async () => (await import('./commands/images.js')).rmi,
  tag: async () => (await import('./commands/images.js')).tag,
  save: async () => (await import('./commands/save-load.js')).save,
  load: async () => (await import('./commands/save-load.js')).load,
  login: async () => (await import('./commands/login.js')).login,
  logout: async () => (await import('./commands/login.js')).logout,
  networkCreate: async () => (await import('./commands/network.js')).networkCreate,
  networkLs: async () => (await import('./commands/network.js')).networkLs,
  networkInspect: async () => (await import('./commands/network.js')).networkInspect,
  networkRm: async () => (await import('./commands/network.js')).networkRm,
  networkConnect: async () => (await import('./commands/network.js')).networkConnect,
  networkDisconnect: async () => (await import('./commands/network.js')).networkDisconnect,
  networkPrune: async () => (await import('./commands/network.js')).networkPrune,
  volumeCreate: async () => (await import('./commands/volume.js')).volumeCreate,
  volumeLs: async () => (await import('./commands/volume.js')).volumeLs,
  volumeInspect: async () => (await import('./commands/volume.js')).volumeInspect,
  volumeRm: async () => (await import('./commands/volume.js')).volumeRm,
  volumePrune: async () => (await import('./commands/volume.js')).volumePrune,
  df: async () => (await import('./commands/system.js')).df,
  prune: async () => (await import('./commands/system.js')).prune,
  info: async () => (await import('./commands/system.js')).info,
  version: async () => (await import('./commands/system.js')).version,
  events: async () => (await import('./commands/events.js')).events,
} satisfies Record<string, () => Promise<Action>>;

export type CommandName = keyof typeof COMMANDS;

/** `args`: the command's positional arguments, then its options, as commander hands them over. */
export async function dispatch(name: CommandName, io: CliIo, connection: ConnectionFlags, args: readonly unknown[]): Promise<Status> {
  let daemon: Promise<Daemon> | undefined;
  const ctx: Context = {
    io,
    connection,
    daemon: () => (daemon ??= (async () => {
      const [{ resolveAddress }, { Daemon }] = await Promise.all([import('./client/address.js'), import('./client/daemon.js')]);
      return new Daemon(resolveAddress(connection, io.env));
    })()),
  };
  try {
    const action = (await COMMANDS[name]()) as unknown as (ctx: Context, ...a: readonly unknown[]) => Promise<Status>;
    return await action(ctx, ...args);
  } catch (err) {
    io.stderr.write(`tsctl: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env['TSCTL_DEBUG_STACK'] === '1' && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return exitStatusOf(err);
  } finally {
    if (daemon) (await daemon.catch(() => undefined))?.close();
  }
}
