/**
 * The runtime's interface: containers (tasks) made from OCI bundles. The local
 * implementation drives the C shim; the gRPC client implements the same
 * interface, so a caller cannot tell which it holds.
 */
export interface TaskIo {
  /** the CRI-format log file the shim writes the container's output to */
  logPath: string;
  /** bytes; 0: 10 MiB; negative: never rotate */
  logMaxSize?: number;
  /** 0: 3 */
  logMaxFiles?: number;
  /** keep stdin open for attach */
  stdin?: boolean;
}

export type TaskStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface TaskState {
  id: string;
  status: TaskStatus;
  pid: number;
  bundle: string;
  created: string;
  exited: boolean;
  exitCode: number;
  exitedAt: string;
  attachSocket: string;
}

export interface TaskExit {
  exitCode: number;
  exitedAt: string;
}

export interface CreatedTask {
  pid: number;
  attachSocket: string;
  warnings: string[];
}

export interface ExecSpec {
  args: string[];
  env?: string[];
  cwd?: string;
  /** uid[:gid] */
  user?: string;
  tty?: boolean;
  stdin?: boolean;
  capabilities?: string[];
}

/** A running exec'd process: feed stdin, read output; `exited` gives its exit code. */
export interface ExecSession {
  onStdout(fn: (data: Buffer) => void): void;
  onStderr(fn: (data: Buffer) => void): void;
  write(data: Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** ends the process (SIGKILL) when the caller goes away */
  cancel(): void;
  readonly exited: Promise<number>;
}

export interface Runtime {
  create(id: string, bundle: string, io?: TaskIo): Promise<CreatedTask>;
  start(id: string): Promise<string[]>;
  /** `signal`: a number or a name (9, KILL, SIGKILL); default SIGTERM */
  kill(id: string, signal?: string, all?: boolean): Promise<void>;
  delete(id: string, force?: boolean): Promise<void>;
  state(id: string): Promise<TaskState>;
  list(): Promise<TaskState[]>;
  wait(id: string): Promise<TaskExit>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  pids(id: string): Promise<number[]>;
  /** runc events --stats "data" shape */
  stats(id: string): Promise<unknown>;
  /** runtime-spec linux.resources */
  update(id: string, resources: unknown): Promise<void>;
  exec(id: string, spec: ExecSpec): Promise<ExecSession>;
}
