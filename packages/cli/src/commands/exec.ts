/**
 * docker exec over the Exec stream: the first message carries the config, then stdin
 * and resizes; the status is the process's exit code. A process that could not be
 * started exits 126 or 127 as docker's does; other failures exit with exitCodeOf.
 */
import { exitCodeOf } from '@tsrun/oci-spec/errors';
import { EXEC_MESSAGES, openSession } from '../client/attach-session.js';
import type { Context, Status } from '../context.js';
import { DaemonUnreachableError, StatusError, startFailureStatus, withContext } from '../errors.js';
import { parseEnv } from '../flags/env.js';

export interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
}

export function execConfig(containerId: string, command: readonly string[], flags: ExecFlags, env: Readonly<Record<string, string | undefined>>) {
  return {
    containerId,
    cmd: [...command],
    env: flags.env.map((e) => parseEnv(e, env)).filter((e): e is string => e !== undefined),
    user: flags.user ?? '',
    workingDir: flags.workdir ?? '',
    tty: flags.tty ?? false,
    attachStdin: flags.interactive ?? false,
    privileged: flags.privileged ?? false,
    detach: flags.detach ?? false,
  };
}

export async function exec(ctx: Context, id: string, command: string[], flags: ExecFlags): Promise<Status> {
  const config = execConfig(id, command, flags, ctx.io.env);
  const d = await ctx.daemon();
  await d.ready();
  const session = openSession(d.containers.Exec(), { config }, ctx.io,
    { stdin: config.attachStdin && !config.detach, tty: config.tty && !config.detach }, EXEC_MESSAGES, (e) => d.error(e));
  try {
    // the daemon keeps resizes and stdin that come before the process starts
    session.resize();
    const code = await session.done;
    return code ?? 0;
  } catch (err) {
    if (err instanceof DaemonUnreachableError) throw err;
    throw new StatusError(startFailureStatus(err, exitCodeOf(err)), withContext(err, `exec ${id}`));
  }
}
