// Typed gRPC clients of a tsd for e2e tests: the engine's services and the
// image service, on the daemon's socket, as programs drive it.
import { credentials } from '@grpc/grpc-js';
import { GrpcImageStore } from '../../packages/image-store/src/index.ts';
import { call, loadProto } from '../../packages/proto/src/index.ts';
import type { ProtoGrpcType } from '../../packages/proto/src/generated/engine.ts';
import type { ContainerServiceClient } from '../../packages/proto/src/generated/tsrun/engine/v1/ContainerService.ts';
import type { CreateContainerRequest } from '../../packages/proto/src/generated/tsrun/engine/v1/CreateContainerRequest.ts';
import type { ContainerInfo__Output } from '../../packages/proto/src/generated/tsrun/engine/v1/ContainerInfo.ts';
import type { ContainerSummary__Output } from '../../packages/proto/src/generated/tsrun/engine/v1/ContainerSummary.ts';
import type { AttachOutput__Output } from '../../packages/proto/src/generated/tsrun/engine/v1/AttachOutput.ts';
import type { LogRecord__Output } from '../../packages/proto/src/generated/tsrun/engine/v1/LogRecord.ts';
import type { SystemServiceClient } from '../../packages/proto/src/generated/tsrun/engine/v1/SystemService.ts';
import type { VolumeServiceClient } from '../../packages/proto/src/generated/tsrun/engine/v1/VolumeService.ts';

export interface EngineClient {
  containers: ContainerServiceClient;
  volumes: VolumeServiceClient;
  system: SystemServiceClient;
  images: GrpcImageStore;
  create(req: CreateContainerRequest): Promise<string>;
  start(id: string): Promise<void>;
  wait(id: string): Promise<number>;
  inspect(id: string): Promise<ContainerInfo__Output>;
  list(all?: boolean): Promise<ContainerSummary__Output[]>;
  remove(id: string, force?: boolean): Promise<void>;
  logs(id: string, opts?: { tail?: number; follow?: boolean }): Promise<LogRecord__Output[]>;
  /** exec, collecting output: [exit code, stdout, stderr] */
  exec(id: string, cmd: string[], stdin?: string): Promise<[number, string, string]>;
  close(): void;
}

export function engineClient(address: string): EngineClient {
  const proto = loadProto<ProtoGrpcType>('engine/v1/engine.proto');
  const creds = credentials.createInsecure();
  const containers = new proto.tsrun.engine.v1.ContainerService(address, creds);
  const volumes = new proto.tsrun.engine.v1.VolumeService(address, creds);
  const system = new proto.tsrun.engine.v1.SystemService(address, creds);
  const images = new GrpcImageStore(address);
  return {
    containers, volumes, system, images,
    create: async (req) => (await call<{ id: string }>((cb) => containers.create({ hostConfig: {}, ...req }, cb))).id,
    start: async (id) => { await call((cb) => containers.start({ id }, cb)); },
    wait: async (id) => (await call<{ statusCode: number }>((cb) => containers.wait({ id }, cb))).statusCode,
    inspect: (id) => call<ContainerInfo__Output>((cb) => containers.inspect({ id }, cb)),
    list: async (all = true) => (await call<{ containers: ContainerSummary__Output[] }>((cb) => containers.list({ all }, cb))).containers,
    remove: async (id, force = false) => { await call((cb) => containers.remove({ id, force }, cb)); },
    logs: (id, opts = {}) => new Promise((resolve, reject) => {
      const out: LogRecord__Output[] = [];
      const s = containers.logs({ id, tail: opts.tail ?? -1, follow: opts.follow ?? false });
      s.on('data', (r: LogRecord__Output) => out.push(r));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    }),
    exec: (id, cmd, stdin) => new Promise((resolve, reject) => {
      const s = containers.exec();
      let out = '';
      let err = '';
      let code = -1;
      s.on('data', (m: AttachOutput__Output) => {
        if (m.stdout) out += m.stdout.toString();
        else if (m.stderr) err += m.stderr.toString();
        else if (m.output === 'exitCode') code = m.exitCode;
      });
      s.on('end', () => resolve([code, out, err]));
      s.on('error', reject);
      s.write({ config: { containerId: id, cmd, attachStdin: stdin !== undefined } });
      if (stdin !== undefined) {
        s.write({ stdin: Buffer.from(stdin) });
        s.write({ closeStdin: true });
      }
    }),
    close: () => { containers.close(); volumes.close(); system.close(); images.close(); },
  };
}
