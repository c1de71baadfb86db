/**
 * The local end of an Attach or Exec stream: output frames to stdout and stderr,
 * stdin and terminal resizes to the container, the terminal in raw mode while a
 * TTY is attached (and restored however the session ends).
 */
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { CliIo, OutStream } from '../context.js';
import type { AttachInput, AttachOutput, ExecInput } from './wire.js';

/**
 * How long to wait for the daemon to confirm an attach (its response headers) before
 * starting the container anyway. A daemon that sends headers once it has registered
 * the attach makes this exact; one that does not costs this much per `run`.
 */
export const ATTACH_CONFIRM_MS = 250;

export interface SessionOptions {
  /** forward stdin, then close_stdin at its end */
  stdin: boolean;
  /** raw mode, and resizes at start and on SIGWINCH */
  tty: boolean;
}

/** The input messages of one stream kind (AttachInput or ExecInput share the shapes). */
export interface InputMessages<In> {
  stdin(chunk: Buffer): In;
  closeStdin(): In;
  resize(rows: number, cols: number): In;
}

export interface Session {
  /** The daemon has taken the first message (its response headers came), or the confirmation timed out. */
  readonly attached: Promise<void>;
  /** The exit code the last frame carried, or undefined when the stream ended without one. */
  readonly done: Promise<number | undefined>;
  /** Sends the terminal's size (a no-op without a TTY). */
  resize(): void;
  /** Ends the session from this side. */
  cancel(): void;
}

function writeOut(stream: OutStream, chunk: Buffer, call: { pause(): void; resume(): void }): void {
  const s = stream as OutStream & { once?: (event: string, fn: () => void) => void };
  if (!stream.write(chunk) && typeof s.once === 'function') {
    call.pause();
    s.once('drain', () => call.resume());
  }
}

export function openSession<In>(
  call: ClientDuplexStream<In, AttachOutput>, first: In, io: CliIo, opts: SessionOptions, messages: InputMessages<In>,
  mapError: (err: unknown) => Error,
): Session {
  let exitCode: number | undefined;
  let cancelled = false;
  let rawMode = false;
  const cleanups: (() => void)[] = [];
  const cleanup = (): void => {
    for (const c of cleanups.splice(0)) c();
  };

  const resize = (): void => {
    if (!opts.tty) return;
    const rows = io.stdout.rows ?? 0;
    const cols = io.stdout.columns ?? 0;
    if (rows > 0 && cols > 0) call.write(messages.resize(rows, cols));
  };

  const attached = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ATTACH_CONFIRM_MS);
    call.once('metadata', () => { clearTimeout(timer); resolve(); });
    call.once('error', (err) => { clearTimeout(timer); reject(mapError(err)); });
    cleanups.push(() => clearTimeout(timer));
  });
  attached.catch(() => {});

  const done = new Promise<number | undefined>((resolve, reject) => {
    call.on('data', (frame: AttachOutput) => {
      if (frame.output === 'stdout' && frame.stdout) writeOut(io.stdout, frame.stdout, call);
      else if (frame.output === 'stderr' && frame.stderr) writeOut(io.stderr, frame.stderr, call);
      else if (frame.output === 'exitCode') exitCode = frame.exitCode ?? 0;
    });
    call.on('error', (err: ServiceError) => {
      cleanup();
      if (cancelled && err.code === grpcStatus.CANCELLED) resolve(exitCode);
      else reject(mapError(err));
    });
    call.on('end', () => { cleanup(); resolve(exitCode); });
  });
  done.catch(() => {});

  call.write(first);

  if (opts.tty && io.stdin.isTTY && typeof io.stdin.setRawMode === 'function') {
    io.stdin.setRawMode(true);
    rawMode = true;
    cleanups.push(() => { if (rawMode) io.stdin.setRawMode!(false); rawMode = false; });
  }
  if (opts.tty) {
    const onWinch = (): void => resize();
    process.on('SIGWINCH', onWinch);
    cleanups.push(() => process.off('SIGWINCH', onWinch));
  }
  if (opts.stdin) {
    const onData = (chunk: Buffer | string): void => { call.write(messages.stdin(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))); };
    const onEnd = (): void => { call.write(messages.closeStdin()); };
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.resume();
    cleanups.push(() => {
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.pause();
    });
  }

  return {
    attached,
    done,
    resize,
    cancel: () => {
      cancelled = true;
      cleanup();
      call.cancel();
    },
  };
}

export const ATTACH_MESSAGES: InputMessages<AttachInput> = {
  stdin: (chunk) => ({ stdin: chunk }),
  closeStdin: () => ({ closeStdin: true }),
  resize: (rows, cols) => ({ resize: { rows, cols } }),
};

export const EXEC_MESSAGES: InputMessages<ExecInput> = {
  stdin: (chunk) => ({ stdin: chunk }),
  closeStdin: () => ({ closeStdin: true }),
  resize: (rows, cols) => ({ resize: { rows, cols } }),
};
