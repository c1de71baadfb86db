/** What every command receives: where to read and write, and how to reach the daemon. */
import type { ConnectionFlags } from './client/address.js';
import type { Daemon } from './client/daemon.js';

export interface OutStream {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface Context {
  io: CliIo;
  connection: ConnectionFlags;
  /** The daemon's connection, made on first use (commands that never call it never load gRPC). */
  daemon(): Promise<Daemon>;
}

/** A command's result: its exit status. Failures are thrown. */
export type Status = number;
