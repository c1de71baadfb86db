/**
 * docker run and create. run without -d attaches before it starts (so no output is
 * lost), copies the streams, and exits with the container's status; any failure
 * before the container runs exits 125 (126/127 when the command cannot run), as docker's does.
 */
import { readFileSync } from 'node:fs';
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Daemon } from '../client/daemon.js';
import type { CreateContainerRequest } from '../client/wire.js';
import type { Context, Status } from '../context.js';
import { DaemonUnreachableError, StatusError, startFailureStatus, USAGE_STATUS, withContext } from '../errors.js';
import { type ContainerFlags, containerRequest } from '../flags/container-request.js';
import { withDefaultTag } from '../render/references.js';
import { flagBool, out } from './common.js';
import { pullImage } from './pull.js';
import { attachAndStart } from './start.js';

export interface RunFlags extends ContainerFlags {
  sigProxy?: boolean | string;
}

function buildRequest(ctx: Context, image: string, command: string[], flags: ContainerFlags): CreateContainerRequest {
  return containerRequest(flags, image, command, { env: ctx.io.env, cwd: ctx.io.cwd, readFile: (p) => readFileSync(p, 'utf8') });
}

function isMissingImage(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'not_found' && /image/i.test(err.message);
}

/** Creates the container, pulling its image first when the daemon does not have it (docker's "Unable to find image"). */
async function createContainer(ctx: Context, d: Daemon, request: CreateContainerRequest): Promise<string> {
  const image = request.config!.image!;
  let response;
  try {
    response = await d.call(d.containers, 'Create', request);
  } catch (err) {
    if (!isMissingImage(err)) throw err;
    ctx.io.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    await pullImage(d, image, ctx.io.stderr);
    response = await d.call(d.containers, 'Create', request);
  }
  for (const w of response?.warnings ?? []) ctx.io.stderr.write(`WARNING: ${w}\n`);
  return response!.id;
}

/** Failures of run and create end with docker's 125, unless the daemon could not be reached at all. */
function runFailure(err: unknown, context: string, status = USAGE_STATUS): Error {
  if (err instanceof DaemonUnreachableError || err instanceof StatusError) return err;
  return new StatusError(status, withContext(err, context));
}

export async function create(ctx: Context, image: string, command: string[], flags: ContainerFlags): Promise<Status> {
  const request = buildRequest(ctx, image, command, flags);
  const d = await ctx.daemon();
  try {
    out(ctx, `${await createContainer(ctx, d, request)}\n`);
  } catch (err) {
    throw runFailure(err, `create ${image}`);
  }
  return 0;
}

export async function run(ctx: Context, image: string, command: string[], flags: RunFlags): Promise<Status> {
  const request = buildRequest(ctx, image, command, flags);
  const d = await ctx.daemon();
  let id: string;
  try {
    id = await createContainer(ctx, d, request);
  } catch (err) {
    throw runFailure(err, `run ${image}`);
  }
  if (flags.detach) {
    try {
      await d.call(d.containers, 'Start', { id });
    } catch (err) {
      throw runFailure(err, `start ${id.slice(0, 12)}`, startFailureStatus(err));
    }
    out(ctx, `${id}\n`);
    return 0;
  }
  try {
    return await attachAndStart(ctx, d, id, {
      stdin: flags.interactive ?? false,
      tty: flags.tty ?? false,
      sigProxy: flagBool(flags.sigProxy ?? true),
      start: true,
      startFailure: (err) => runFailure(err, `start ${id.slice(0, 12)}`, startFailureStatus(err)),
    });
  } catch (err) {
    throw runFailure(err, `attach ${id.slice(0, 12)}`);
  }
}
