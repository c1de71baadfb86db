/**
 * The Runtime over gRPC: the same interface as ShimRuntime. Status codes become
 * EngineErrors here.
 */
import { type ChannelCredentials, type ClientOptions, credentials as grpcCredentials } from '@grpc/grpc-js';
import { call, fromStatus, loadProto } from '@tsrun/proto';
import type { ServiceError } from '@grpc/grpc-js';
import type { ExecOutput__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/ExecOutput.js';
import type { ProtoGrpcType } from '@tsrun/proto/generated/runtime.js';
import type { RuntimeServiceClient } from '@tsrun/proto/generated/tsrun/runtime/v1/RuntimeService.js';
import type { TaskState__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/TaskState.js';
import { RUNTIME_PROTO } from './runtime-server.js';
import type { CreatedTask, ExecSession, ExecSpec, Runtime, TaskExit, TaskIo, TaskState, TaskStatus } from './types.js';

const taskFromWire = (t: TaskState__Output | null): TaskState => ({ ...t!, status: t!.status as TaskStatus });

export class GrpcRuntime implements Runtime {
  private readonly client: RuntimeServiceClient;

  /** `address`: `unix:///run/tsd/tsd.sock` or `127.0.0.1:port`. */
  constructor(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), options: ClientOptions = {}) {
    const proto = loadProto<ProtoGrpcType>(RUNTIME_PROTO);
    this.client = new proto.tsrun.runtime.v1.RuntimeService(address, creds, options);
  }

  close(): void {
    this.client.close();
  }

  async create(id: string, bundle: string, io?: TaskIo): Promise<CreatedTask> {
    return call<CreatedTask>((cb) => this.client.create({ id, bundle, ...(io && { io: { ...io, logMaxSize: String(io.logMaxSize ?? 0) } }) }, cb));
  }

  async start(id: string): Promise<string[]> {
    return (await call<{ warnings: string[] }>((cb) => this.client.start({ id }, cb))).warnings;
  }

  async kill(id: string, signal?: string, all?: boolean): Promise<void> {
    await call((cb) => this.client.kill({ id, signal: signal ?? '', all: all ?? false }, cb));
  }

  async delete(id: string, force?: boolean): Promise<void> {
    await call((cb) => this.client.delete({ id, force: force ?? false }, cb));
  }

  async state(id: string): Promise<TaskState> {
    return taskFromWire((await call<{ task: TaskState__Output | null }>((cb) => this.client.state({ id }, cb))).task);
  }

  async list(): Promise<TaskState[]> {
    return (await call<{ tasks: TaskState__Output[] }>((cb) => this.client.list({}, cb))).tasks.map(taskFromWire);
  }

  async wait(id: string): Promise<TaskExit> {
    return call<TaskExit>((cb) => this.client.wait({ id }, cb));
  }

  async pause(id: string): Promise<void> {
    await call((cb) => this.client.pause({ id }, cb));
  }

  async resume(id: string): Promise<void> {
    await call((cb) => this.client.resume({ id }, cb));
  }

  async pids(id: string): Promise<number[]> {
    return (await call<{ pids: number[] }>((cb) => this.client.pids({ id }, cb))).pids;
  }

  async stats(id: string): Promise<unknown> {
    return JSON.parse((await call<{ statsJson: string }>((cb) => this.client.stats({ id }, cb))).statsJson) as unknown;
  }

  async update(id: string, resources: unknown): Promise<void> {
    await call((cb) => this.client.update({ id, resourcesJson: JSON.stringify(resources) }, cb));
  }

  async exec(id: string, spec: ExecSpec): Promise<ExecSession> {
    const stream = this.client.exec();
    // output that arrives before the caller listens is kept for it
    const early: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
    const out: Array<(d: Buffer) => void> = [];
    const err: Array<(d: Buffer) => void> = [];
    const listen = (list: Array<(d: Buffer) => void>, kept: Buffer[], f: (d: Buffer) => void): void => {
      list.push(f);
      for (const d of kept.splice(0)) f(d);
    };
    const exited = new Promise<number>((resolve, reject) => {
      let code: number | undefined;
      stream.on('data', (m: ExecOutput__Output) => {
        if (m.stdout) {
          if (out.length === 0) early.out.push(m.stdout);
          for (const f of out) f(m.stdout);
        } else if (m.stderr) {
          if (err.length === 0) early.err.push(m.stderr);
          for (const f of err) f(m.stderr);
        }
        else if (m.output === 'exitCode') code = m.exitCode;
      });
      stream.on('error', (e: ServiceError) => reject(fromStatus(e)));
      stream.on('end', () => (code === undefined ? reject(new Error(`exec in ${id}: the stream ended without an exit code`)) : resolve(code)));
    });
    exited.catch(() => undefined);
    stream.write({
      start: { id, args: spec.args, env: spec.env ?? [], cwd: spec.cwd ?? '', user: spec.user ?? '', tty: spec.tty ?? false, stdin: spec.stdin ?? false, capabilities: spec.capabilities ?? [] },
    });
    return {
      onStdout: (f) => listen(out, early.out, f),
      onStderr: (f) => listen(err, early.err, f),
      write: (d) => void stream.write({ stdin: d }),
      closeStdin: () => void stream.write({ closeStdin: true }),
      resize: (rows, cols) => void stream.write({ resize: { rows, cols } }),
      cancel: () => stream.cancel(),
      exited,
    };
  }
}
