/**
 * The resident planner: a unix socket server answering one JSON request line per
 * connection, so that the C front end skips Node's start-up on every create/exec.
 * It stops after an idle period and when its own bundle file is replaced (so an
 * upgraded tsrun never talks to old code for long).
 */
import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { EngineError, wrapError } from '@tsrun/oci-spec/errors';
import { handleLine, warmUpPlanner, type HandlerOptions } from './handle-request.js';
import type { PlannerAnswer } from './requests.js';

export type StopReason = 'idle' | 'bundle-changed' | 'closed';

export interface ServerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PlannerServerOptions {
  socketPath: string;
  /** 0: never stop for idleness (a daemon hosting the planner) */
  idleMs?: number;
  /** A file whose replacement (inode or mtime change) stops the server: the server's own bundle. */
  watchFile?: string | null;
  watchIntervalMs?: number;
  maxRequestBytes?: number;
  log?: ServerLog;
  handler?: HandlerOptions;
}

export interface PlannerServer {
  readonly socketPath: string;
  /** Settles when the server has stopped, with why. */
  readonly stopped: Promise<StopReason>;
  close(): Promise<StopReason>;
}

const fileIdentity = (path: string): string | null => {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.mtimeMs}`;
  } catch {
    return null;
  }
};

/** Whether something answers on the socket; a socket file nobody listens on is stale. */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function serveConnection(sock: Socket, opts: PlannerServerOptions): void {
  const max = opts.maxRequestBytes ?? 1 << 20;
  let buf = '';
  let done = false;
  const answer = (a: PlannerAnswer): void => {
    if (done) return;
    done = true;
    sock.end(`${JSON.stringify(a)}\n`);
  };
  const handle = (line: string): void => {
    const started = Date.now();
    const a = handleLine(line, opts.handler);
    opts.log?.info({ ms: Date.now() - started, ok: a.ok, ...(a.ok ? {} : { error: a.error }) }, 'request');
    answer(a);
  };
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl >= 0) handle(buf.slice(0, nl));
    else if (buf.length > max) answer({ ok: false, error: `request: larger than ${max} bytes`, code: 'invalid_argument' });
  });
  sock.on('end', () => {
    if (!done && buf.trim() !== '') handle(buf);
    else if (!done) sock.end();
  });
  sock.on('error', (err) => opts.log?.warn({ err: err.message }, 'connection error'));
}

export async function startPlannerServer(opts: PlannerServerOptions): Promise<PlannerServer> {
  const { socketPath } = opts;
  try {
    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw wrapError(err, `create ${dirname(socketPath)}`);
  }
  if (await socketAlive(socketPath)) {
    throw new EngineError('already_exists', `a planner is already serving on ${socketPath}`);
  }
  try {
    unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrapError(err, `remove stale socket ${socketPath}`);
  }

  let resolveStopped!: (r: StopReason) => void;
  const stopped = new Promise<StopReason>((r) => (resolveStopped = r));
  let stopping: StopReason | null = null;
  const watched = opts.watchFile ? fileIdentity(opts.watchFile) : null;
  let idleTimer: NodeJS.Timeout | undefined;
  let socketIdentity: string | null = null;

  const server = createServer((sock) => {
    armIdle();
    serveConnection(sock, opts);
    if (bundleChanged()) stop('bundle-changed');
  });

  const bundleChanged = (): boolean => !!opts.watchFile && fileIdentity(opts.watchFile) !== watched;

  const stop = (reason: StopReason): Promise<StopReason> => {
    if (stopping) return stopped;
    stopping = reason;
    clearTimeout(idleTimer);
    clearInterval(watchTimer);
    // Only remove the socket if it is still ours (a newer server may have taken the path).
    if (fileIdentity(socketPath) === socketIdentity) {
      try {
        unlinkSync(socketPath);
      } catch {
        // already gone
      }
    }
    server.close(() => {
      opts.log?.info({ reason }, 'planner stopped');
      resolveStopped(reason);
    });
    return stopped;
  };

  function armIdle(): void {
    clearTimeout(idleTimer);
    if (opts.idleMs === 0) return;
    idleTimer = setTimeout(() => void stop('idle'), opts.idleMs ?? 10 * 60_000);
  }

  const watchTimer = setInterval(() => {
    if (bundleChanged()) void stop('bundle-changed');
  }, opts.watchIntervalMs ?? 2000);
  watchTimer.unref();

  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(watchTimer);
    throw wrapError(err, `listen on ${socketPath}`);
  } finally {
    process.umask(oldMask);
  }
  chmodSync(socketPath, 0o600);
  socketIdentity = fileIdentity(socketPath);
  armIdle();
  setImmediate(warmUpPlanner);
  opts.log?.info({ socket: socketPath }, 'planner serving');
  return { socketPath, stopped, close: () => stop('closed') };
}
