/**
 * The gRPC RuntimeService over any Runtime (normally ShimRuntime): a thin
 * adapter; EngineErrors become status codes here and nowhere else.
 */
import { EngineError } from '@tsrun/oci-spec/errors';
import { loadProto, unary, type ServiceRegistrar } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/runtime.js';
import type { RuntimeServiceHandlers } from '@tsrun/proto/generated/tsrun/runtime/v1/RuntimeService.js';
import type { TaskState__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/TaskState.js';
import { stringifyBig } from '../cgroups/stats-json.js';
import type { ExecInput__Output } from '@tsrun/proto/generated/tsrun/runtime/v1/ExecInput.js';
import { relayExec } from './exec-relay.js';
import type { Runtime, TaskState } from './types.js';

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
      relayExec(call, (m: ExecInput__Output) => m.start, (st) => rt.exec(id(st.id, 'ExecStart'), {
        args: st.args, env: st.env, cwd: st.cwd, user: st.user, tty: st.tty, stdin: st.stdin, capabilities: st.capabilities,
      }));
    },
  };
}

/** Adds the RuntimeService, served by `rt`, to a gRPC server. */
export function addRuntimeService(server: ServiceRegistrar, rt: Runtime): void {
  const proto = loadProto<ProtoGrpcType>(RUNTIME_PROTO);
  server.addService(proto.tsrun.runtime.v1.RuntimeService.service, runtimeServiceHandlers(rt));
}
