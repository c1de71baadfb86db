/**
 * The gRPC RuntimeService over any Runtime (normally ShimRuntime): a thin
 * adapter; EngineErrors become status codes here and nowhere else.
 */
import type { Server } from '@grpc/grpc-js';
import { EngineError } from '@tsrun/oci-spec/errors';
import { loadProto, toStatus, unary } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/runtime.js';
import type { RuntimeServiceHandlers } from '@tsrun/proto/generated/tsrun/runtime/v1/RuntimeService.js';
import type { TaskState__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/TaskState.js';
import { stringifyBig } from '../cgroups/stats-json.js';
import type { ExecInput__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/ExecInput.js';
import type { ExecSession, Runtime, TaskState } from './types.js';

export const RUNTIME_PROTO = 'runtime/v1/runtime.proto';

function id(value: string, message: string): string {
  if (value === '') throw new EngineError('invalid_argument', `${message}.id is required`);
  return value;
}

export function taskToWire(t: TaskState): TaskState__Output {
  return { ...t };
}

export function runtimeServiceHandlers(rt: Runtime): RuntimeServiceHandlers {
  return {
    Create: unary(async (req) => {
      const io = req.io && req.io.logPath !== '' ? {
        logPath: req.io.logPath, logMaxSize: Number(req.io.logMaxSize), logMaxFiles: req.io.logMaxFiles, stdin: req.io.stdin,
      } : undefined;
      if (req.bundle === '') throw new EngineError('invalid_argument', 'CreateTaskRequest.bundle is required');
      return rt.create(id(req.id, 'CreateTaskRequest'), req.bundle, io);
    }),
    Start: unary(async (req) => ({ warnings: await rt.start(id(req.id, 'StartTaskRequest')) })),
    Kill: unary(async (req) => {
      await rt.kill(id(req.id, 'KillTaskRequest'), req.signal || undefined, req.all);
      return {};
    }),
    Delete: unary(async (req) => {
      await rt.delete(id(req.id, 'DeleteTaskRequest'), req.force);
      return {};
    }),
    State: unary(async (req) => ({ task: taskToWire(await rt.state(id(req.id, 'StateTaskRequest'))) })),
    List: unary(async () => ({ tasks: (await rt.list()).map(taskToWire) })),
    Wait: unary(async (req) => rt.wait(id(req.id, 'WaitTaskRequest'))),
    Pause: unary(async (req) => {
      await rt.pause(id(req.id, 'PauseTaskRequest'));
      return {};
    }),
    Resume: unary(async (req) => {
      await rt.resume(id(req.id, 'ResumeTaskRequest'));
      return {};
    }),
    Pids: unary(async (req) => ({ pids: await rt.pids(id(req.id, 'PidsRequest')) })),
    Stats: unary(async (req) => ({ statsJson: stringifyBig(await rt.stats(id(req.id, 'StatsRequest'))) })),
    Update: unary(async (req) => {
      let resources: unknown;
      try {
        resources = JSON.parse(req.resourcesJson);
      } catch (err) {
        throw new EngineError('invalid_argument', `UpdateTaskRequest.resources_json: not JSON: ${(err as Error).message}`);
      }
      await rt.update(id(req.id, 'UpdateTaskRequest'), resources);
      return {};
    }),
    Exec(call) {
      let session: ExecSession | undefined;
      const early: ExecInput__Output[] = [];
      let done = false;
      const feed = (m: ExecInput__Output): void => {
        if (!session) return void early.push(m);
        if (m.stdin) session.write(m.stdin);
        else if (m.closeStdin) session.closeStdin();
        else if (m.resize) session.resize(m.resize.rows, m.resize.cols);
      };
      call.on('data', (m: ExecInput__Output) => {
        if (!m.start) return feed(m);
        if (session || done) return;
        const st = m.start;
        rt.exec(id(st.id, 'ExecStart'), {
          args: st.args, env: st.env, cwd: st.cwd, user: st.user, tty: st.tty, stdin: st.stdin, capabilities: st.capabilities,
        }).then((s) => {
          session = s;
          s.onStdout((d) => call.write({ stdout: d }));
          s.onStderr((d) => call.write({ stderr: d }));
          for (const e of early.splice(0)) feed(e);
          return s.exited;
        }).then((exitCode) => {
          done = true;
          call.write({ exitCode });
          call.end();
        }, (err: unknown) => {
          done = true;
          call.emit('error', toStatus(err));
        });
      });
      call.on('end', () => session?.closeStdin());
      call.on('cancelled', () => session?.cancel());
    },
  };
}

/** Adds the RuntimeService, served by `rt`, to a gRPC server. */
export function addRuntimeService(server: Server, rt: Runtime): void {
  const proto = loadProto<ProtoGrpcType>(RUNTIME_PROTO);
  server.addService(proto.tsrun.runtime.v1.RuntimeService.service, runtimeServiceHandlers(rt));
}
