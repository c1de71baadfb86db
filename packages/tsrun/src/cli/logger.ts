import type { ServerLog } from '../server/planner-server.js';
import type { GlobalFlags } from './context.js';

/** A pino logger writing to --log (JSON lines), or nothing when --log is not given. Loaded only when needed. */
export async function createLog(globals: GlobalFlags, component: string): Promise<ServerLog | undefined> {
  if (!globals.log) return undefined;
  const { default: pino } = await import('pino');
  const dest = pino.destination({ dest: globals.log, append: true, sync: true, mkdir: true });
  const logger = pino({ level: globals.debug ? 'debug' : 'info', base: { component, pid: process.pid } }, dest);
  return { info: (obj, msg) => logger.info(obj, msg), warn: (obj, msg) => logger.warn(obj, msg) };
}
