import { EngineError } from '@tsrun/oci-spec/errors';
import { startPlannerServer } from '../../server/planner-server.js';
import { planOneShot } from '../../server/one-shot.js';
import type { Command } from '../context.js';
import { createLog } from '../logger.js';
import { parseCommandArgs } from '../parse.js';

/**
 * `__planner-serve --socket PATH [--idle-seconds N]`: the resident planner (internal, used by the C front end).
 * Started by the front end, it inherits as fd 3 the flock that keeps other front ends from starting a
 * second server, and holds it, untouched, until it exits.
 */
export const plannerServeCommand: Command = async ({ args, globals, self }) => {
  const { values } = parseCommandArgs(args, {
    socket: { type: 'string' },
    'idle-seconds': { type: 'string' },
  }, false);
  if (!values.socket) throw new EngineError('invalid_argument', '__planner-serve needs --socket PATH');
  const idle = values['idle-seconds'] !== undefined ? Number(values['idle-seconds']) : 600;
  if (!Number.isFinite(idle) || idle <= 0) throw new EngineError('invalid_argument', '--idle-seconds must be a positive number');
  const log = await createLog(globals, 'planner');
  const server = await startPlannerServer({
    socketPath: values.socket,
    idleMs: idle * 1000,
    watchFile: self,
    ...(log ? { log } : {}),
  });
  process.once('SIGTERM', () => void server.close());
  process.once('SIGINT', () => void server.close());
  await server.stopped;
  return 0;
};

/** `__plan`: one request on stdin, its answer on stdout; exit 0 when ok, 1 otherwise. */
export const planCommand: Command = async ({ args, io }) => {
  if (args.length > 0) throw new EngineError('invalid_argument', '__plan takes no arguments');
  const answer = await planOneShot(io.stdin as AsyncIterable<string | Buffer>);
  io.stdout.write(`${JSON.stringify(answer)}\n`);
  return answer.ok ? 0 : 1;
};
