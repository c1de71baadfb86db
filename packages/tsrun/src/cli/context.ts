/** What every command receives: the global flags and where to write. */
export interface GlobalFlags {
  root: string;
  log: string | null;
  logFormat: 'text' | 'json';
  debug: boolean;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface CommandContext {
  globals: GlobalFlags;
  io: CliIo;
  /** The command's own arguments (after the command name). */
  args: string[];
  /** The path of the running bundle (for the planner server's self-watch). */
  self: string | null;
}

/** A command returns its exit status; failures are thrown as EngineError. */
export type Command = (ctx: CommandContext) => Promise<number>;
