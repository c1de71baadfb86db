/**
 * The engine's public gRPC services (ContainerService, VolumeService,
 * SystemService) over the ContainerEngine: thin adapters; EngineErrors become
 * status codes here (through @tsrun/proto's unary/toStatus).
 */
import { createConnection } from 'node:net';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { Metadata, type Server, type ServerDuplexStream } from '@grpc/grpc-js';
import { EngineError } from '@tsrun/oci-spec';
import { loadProto, toStatus, unary } from '@tsrun/proto';
import type { ProtoGrpcType } from '@tsrun/proto/generated/engine.js';
import type { AttachInput__Output } from '@tsrun/proto/generated/tsrun/engine/v1/AttachInput.js';
import type { AttachOutput } from '@tsrun/proto/generated/tsrun/engine/v1/AttachOutput.js';
import type { ExecInput__Output } from '@tsrun/proto/generated/tsrun/engine/v1/ExecInput.js';
import type { ContainerServiceHandlers } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerService.js';
import type { FilterValues__Output } from '@tsrun/proto/generated/tsrun/engine/v1/FilterValues.js';
import type { SystemServiceHandlers } from '@tsrun/proto/generated/tsrun/engine/v1/SystemService.js';
import type { VolumeServiceHandlers } from '@tsrun/proto/generated/tsrun/engine/v1/VolumeService.js';
import type { ImageStore } from '@tsrun/image-store';
import { relayExec, type Runtime } from '@tsrun/runtime';
import { frame, FrameReader, resizeFrame, STREAM } from './attach-frames.js';
import { parseChanges } from './changes.js';
import { capabilitySet } from './spec-builder.js';
import type { ContainerEngine } from './containers.js';
import { followLog, readLog, timeNanos } from './cri-log.js';
import type { EventBus } from './events.js';
import { runPs } from './top.js';
import { inspectOf, matchesFilters, summaryOf } from './views.js';
import type { VolumeRecord, VolumeStore } from './volumes.js';

export const ENGINE_PROTO = 'engine/v1/engine.proto';
export const ENGINE_VERSION = '0.1.0';
export const API_VERSION = '1.0';

const PS_FILTERS = new Set(['id', 'name', 'status', 'label', 'ancestor', 'exited']);

function filtersOf(f: Record<string, FilterValues__Output>, allowed: ReadonlySet<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(f)) {
    if (!allowed.has(k)) throw new EngineError('invalid_argument', `invalid filter ${JSON.stringify(k)}: want one of ${[...allowed].join(', ')}`);
    out[k] = v.values;
  }
  return out;
}

/** RFC 3339, or unix seconds with an optional fraction, as docker takes --since. */
export function parseTimeArg(value: string, field: string): bigint | undefined {
  if (value === '') return undefined;
  if (/^\d+(\.\d{1,9})?$/.test(value)) {
    const [s = '0', frac = ''] = value.split('.');
    return BigInt(s) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  }
  const ns = timeNanos(value);
  if (ns === null) throw new EngineError('invalid_argument', `${field} ${JSON.stringify(value)}: want RFC 3339 or unix seconds`);
  return ns;
}

const volumeToWire = (v: VolumeRecord, usedBy: string[]): object => ({ ...v, usedBy });

export interface EngineServerDeps {
  engine: ContainerEngine;
  runtime: Runtime;
  images: ImageStore;
  volumes: VolumeStore;
  events: EventBus;
  info: { dataRoot: string; insecureRegistries: string[]; debug: boolean; cgroupVersion: string };
}

function attachHandler(engine: ContainerEngine) {
  return (call: ServerDuplexStream<AttachInput__Output, AttachOutput>): void => {
    let sock: ReturnType<typeof createConnection> | undefined;
    const pending: Buffer[] = [];
    let ref = '';
    let ended = false;
    const end = (exitCode: number): void => {
      if (ended) return;
      ended = true;
      call.write({ exitCode });
      call.end();
    };
    const send = (b: Buffer): void => {
      if (sock) sock.write(b);
      else pending.push(b);
    };
    call.on('data', (msg: AttachInput__Output) => {
      if (msg.container) {
        if (ref !== '') return;
        ref = msg.container.id;
        let record;
        try {
          record = engine.store.find(ref);
        } catch (err) {
          call.emit('error', toStatus(err));
          return;
        }
        const attached = engine.whenAttachable(record.id, (socket, runEnded) => new Promise<void>((resolve, reject) => {
          const s = createConnection(socket);
          s.once('connect', () => {
            sock = s;
            for (const b of pending.splice(0)) s.write(b);
            resolve();
          });
          s.once('error', (err) => reject(new EngineError('unavailable', `attach ${ref}: ${err.message}`)));
          const reader = new FrameReader();
          s.on('data', (chunk: Buffer) => {
            for (const f of reader.push(chunk)) {
              if (f.stream === STREAM.stdout) call.write({ stdout: f.payload });
              else if (f.stream === STREAM.stderr) call.write({ stderr: f.payload });
            }
          });
          // the shim closes attach clients after the last output; the exit code is the run's, once handled
          s.on('close', () => void runEnded.then(end));
        }));
        attached.catch((err: unknown) => { if (!ended) call.emit('error', toStatus(err)); });
        // headers tell the client the attach is in place: a start from now on loses no output
        call.sendMetadata(new Metadata());
        return;
      }
      if (msg.stdin) send(frame(STREAM.stdin, msg.stdin));
      else if (msg.closeStdin) send(frame(STREAM.closeStdin));
      else if (msg.resize) send(resizeFrame(msg.resize.rows, msg.resize.cols));
    });
    call.on('end', () => send(frame(STREAM.closeStdin)));
    call.on('cancelled', () => sock?.destroy());
  };
}

function execHandler(engine: ContainerEngine, runtime: Runtime) {
  return (call: ServerDuplexStream<ExecInput__Output, AttachOutput>): void => {
    relayExec(call, (m: ExecInput__Output) => m.config, async (c) => {
      const r = engine.store.find(c.containerId);
      if (r.status !== 'running') throw new EngineError('failed_precondition', `container ${r.name} is ${r.status === 'paused' ? 'paused, unpause it first' : 'not running'}`);
      if (c.cmd.length === 0) throw new EngineError('invalid_argument', 'exec: no command given');
      const s = await runtime.exec(r.id, {
        args: c.cmd, env: c.env, cwd: c.workingDir, user: c.user, tty: c.tty, stdin: c.attachStdin && !c.detach,
        ...(c.privileged && { capabilities: capabilitySet([], [], true) }),
      });
      emitExec(engine, r.id, r.name, c.cmd);
      // detached: the process runs on, nobody listens
      return c.detach ? null : s;
    });
  };
}

function emitExec(engine: ContainerEngine, id: string, name: string, cmd: string[]): void {
  engine.events.emit('container', 'exec_start', id, { name, execID: cmd.join(' ') });
}

export function containerServiceHandlers(d: EngineServerDeps): ContainerServiceHandlers {
  const { engine, runtime } = d;
  return {
    Create: unary(async (req) => engine.create(req)),
    Start: unary(async (req) => { await engine.start(req.id); return {}; }),
    Stop: unary(async (req) => { await engine.stop(req.id, req.timeout < 0 ? undefined : req.timeout); return {}; }),
    Restart: unary(async (req) => { await engine.restart(req.id, req.timeout < 0 ? undefined : req.timeout); return {}; }),
    Kill: unary(async (req) => { await engine.kill(req.id, req.signal); return {}; }),
    Pause: unary(async (req) => { await engine.pause(req.id); return {}; }),
    Unpause: unary(async (req) => { await engine.unpause(req.id); return {}; }),
    Remove: unary(async (req) => { await engine.remove(req.id, req.force); return {}; }),
    Rename: unary(async (req) => { await engine.rename(req.id, req.name); return {}; }),
    List: unary(async (req) => {
      const filters = filtersOf(req.filters, PS_FILTERS);
      const rows = engine.store.all()
        .filter((r) => req.all || engine.isRunning(r))
        .filter((r) => matchesFilters(r, filters))
        .sort((a, b) => b.created.localeCompare(a.created));
      return { containers: rows.map(summaryOf) };
    }),
    Inspect: unary(async (req) => inspectOf(engine.store.find(req.id))),
    Wait: unary(async (req) => ({ statusCode: await engine.wait(req.id, req.condition), error: '' })),
    Logs(call) {
      const req = call.request;
      (async () => {
        const r = engine.store.find(req.id);
        const q = {
          ...(req.tail >= 0 && { tail: req.tail }),
          since: parseTimeArg(req.since, '--since'), until: parseTimeArg(req.until, '--until'),
          stdout: req.stdout || (!req.stdout && !req.stderr), stderr: req.stderr || (!req.stdout && !req.stderr),
        };
        const { records, offset } = await readLog(r.logPath, q);
        for (const rec of records) call.write({ stream: rec.stream, time: rec.time, data: rec.data });
        if (req.follow && engine.isRunning(r)) {
          const ac = new AbortController();
          call.on('cancelled', () => ac.abort());
          const sinceOk = { ...q, tail: undefined };
          await followLog(r.logPath, offset, sinceOk, (rec) => call.write({ stream: rec.stream, time: rec.time, data: rec.data }),
            () => !engine.isRunning(r) || !engine.store.all().includes(r), ac.signal);
        }
        call.end();
      })().catch((err: unknown) => call.emit('error', toStatus(err)));
    },
    Attach: attachHandler(engine),
    Exec: execHandler(engine, runtime),
    Top: unary(async (req) => {
      const r = engine.store.find(req.id);
      if (r.status !== 'running' && r.status !== 'paused') throw new EngineError('failed_precondition', `container ${r.name} is not running`);
      return runPs(req.psArgs, await runtime.pids(r.id));
    }),
    Stats(call) {
      const req = call.request;
      (async () => {
        const r = engine.store.find(req.id);
        const sample = async (): Promise<boolean> => {
          if (!engine.isRunning(r) || !r.task) return false;
          const s = await runtime.stats(r.id) as { cpu?: { usage?: { total?: number } }; memory?: { usage?: { usage?: number; limit?: number } }; pids?: { current?: number; limit?: number } };
          call.write({
            id: r.id, name: r.name, read: new Date().toISOString(),
            cpuUsageNs: String(s.cpu?.usage?.total ?? 0), onlineCpus: cpus().length,
            memoryUsage: String(s.memory?.usage?.usage ?? 0), memoryLimit: String(s.memory?.usage?.limit ?? 0),
            pidsCurrent: String(s.pids?.current ?? 0), pidsLimit: String(s.pids?.limit ?? 0),
          });
          return true;
        };
        if (!(await sample())) throw new EngineError('failed_precondition', `container ${r.name} is not running`);
        let open = true;
        call.on('cancelled', () => { open = false; });
        while (req.stream && open) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (!open || !(await sample().catch(() => false))) break;
        }
        call.end();
      })().catch((err: unknown) => call.emit('error', toStatus(err)));
    },
    Update: unary(async (req) => {
      const r = engine.store.find(req.id);
      const memory = Number(req.memory);
      const nano = Number(req.nanoCpus);
      const pids = Number(req.pidsLimit);
      const resources: Record<string, unknown> = {};
      if (memory > 0) resources.memory = { limit: memory };
      if (nano > 0) resources.cpu = { period: 100_000, quota: Math.round((nano * 100_000) / 1e9) };
      if (pids > 0) resources.pids = { limit: pids };
      if (Object.keys(resources).length > 0 && r.task && engine.isRunning(r)) await runtime.update(r.id, resources);
      if (memory > 0) r.hostConfig.memory = String(memory);
      if (nano > 0) r.hostConfig.nanoCpus = String(nano);
      if (pids > 0) r.hostConfig.pidsLimit = String(pids);
      if (req.restartPolicy && req.restartPolicy.name !== '') r.hostConfig.restartPolicy = req.restartPolicy;
      engine.store.save(r);
      return {};
    }),
    Commit: unary(async (req) => {
      const r = engine.store.find(req.id);
      // changes merge into the image's own settings (ENV A=1 keeps PATH), as docker commit does
      const base = req.changes.length > 0 ? (await d.images.get(r.image)).config.config ?? {} : {};
      const changes = parseChanges(req.changes, base as Record<string, unknown>);
      const paused = req.pause && r.status === 'running';
      if (paused) await engine.pause(r.id);
      try {
        const res = await d.images.commit({
          containerId: r.id, name: req.reference, author: req.author, comment: req.comment,
          ...(Object.keys(changes).length > 0 && { changes }),
        });
        d.events.emit('container', 'commit', r.id, { name: r.name, image: req.reference });
        return { imageId: res.record.target.digest };
      } finally {
        if (paused) await engine.unpause(r.id);
      }
    }),
  };
}

export function volumeServiceHandlers(d: EngineServerDeps): VolumeServiceHandlers {
  const { volumes, engine } = d;
  const usedBy = (name: string): string[] => engine.store.all().filter((r) => r.mounts.some((m) => m.type === 'volume' && m.name === name)).map((r) => r.name);
  volumes.usedBy = usedBy;
  return {
    Create: unary(async (req) => {
      const v = volumes.create(req.name, req.driver, req.labels);
      d.events.emit('volume', 'create', v.name);
      return volumeToWire(v, usedBy(v.name));
    }),
    List: unary(async () => ({ volumes: volumes.list().map((v) => volumeToWire(v, usedBy(v.name))) })),
    Inspect: unary(async (req) => { const v = volumes.inspect(req.name); return volumeToWire(v, usedBy(v.name)); }),
    Remove: unary(async (req) => {
      volumes.remove(req.name, req.force);
      d.events.emit('volume', 'destroy', req.name);
      return {};
    }),
    Prune: unary(async () => ({ removed: volumes.prune(), spaceReclaimed: '0' })),
  };
}

export function systemServiceHandlers(d: EngineServerDeps): SystemServiceHandlers {
  const { engine } = d;
  return {
    Version: unary(async () => ({
      version: ENGINE_VERSION, apiVersion: API_VERSION, gitCommit: '', nodeVersion: process.version, os: platform(), arch: arch(),
      kernelVersion: release(), runtimeVersion: 'tsrun 0.1.0',
    })),
    Info: unary(async () => {
      const all = engine.store.all();
      return {
        containers: all.length,
        containersRunning: all.filter((r) => r.status === 'running').length,
        containersPaused: all.filter((r) => r.status === 'paused').length,
        containersStopped: all.filter((r) => !engine.isRunning(r)).length,
        images: (await d.images.list()).length,
        dataRoot: d.info.dataRoot, cgroupVersion: d.info.cgroupVersion, cgroupDriver: 'cgroupfs', kernelVersion: release(),
        operatingSystem: platform(), ncpu: cpus().length, memTotal: String(totalmem()), name: hostname(), serverVersion: ENGINE_VERSION,
        insecureRegistries: d.info.insecureRegistries, defaultRuntime: 'tsrun', debug: d.info.debug,
      };
    }),
    Events(call) {
      const req = call.request;
      try {
        const since = parseTimeArg(req.since, '--since');
        const until = parseTimeArg(req.until, '--until');
        const filters = Object.fromEntries(Object.entries(req.filters).map(([k, v]) => [k, v.values]));
        const unsubscribe = d.events.subscribe((e) => {
          if (until !== undefined && e.timeNano > until) return;
          if (filters.type && filters.type.length > 0 && !filters.type.includes(e.type)) return;
          if (filters.event && filters.event.length > 0 && !filters.event.includes(e.action)) return;
          if (filters.container && filters.container.length > 0 && !filters.container.some((c) => e.id.startsWith(c) || e.attributes.name === c)) return;
          call.write({ type: e.type, action: e.action, id: e.id, attributes: e.attributes, timeNano: String(e.timeNano) });
        }, since);
        call.on('cancelled', unsubscribe);
        if (until !== undefined) {
          unsubscribe();
          call.end();
        }
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
    DiskUsage: unary(async () => {
      const du = await d.images.diskUsage();
      const all = engine.store.all();
      return {
        items: [
          { type: 'Images', total: du.images.length, active: engine.imagesInUse().size, size: String(du.contentBytes + du.snapshotBytes), reclaimable: String(du.reclaimableBytes) },
          { type: 'Containers', total: all.length, active: all.filter((r) => engine.isRunning(r)).length, size: String(du.containerBytes), reclaimable: '0' },
          { type: 'Local Volumes', total: d.volumes.list().length, active: 0, size: '0', reclaimable: '0' },
        ],
      };
    }),
    Prune: unary(async (req) => {
      const containersDeleted: string[] = [];
      for (const r of engine.store.all()) {
        if (engine.isRunning(r)) continue;
        await engine.remove(r.id, false);
        containersDeleted.push(r.id);
      }
      const report = await d.images.prune({ minAgeMs: 0 });
      const volumesDeleted = req.volumes ? d.volumes.prune() : [];
      return {
        containersDeleted, volumesDeleted, networksDeleted: [],
        imagesDeleted: [],
        spaceReclaimed: String(report.reclaimedBytes),
      };
    }),
  };
}

export function addEngineServices(server: Server, deps: EngineServerDeps): void {
  const proto = loadProto<ProtoGrpcType>(ENGINE_PROTO);
  server.addService(proto.tsrun.engine.v1.ContainerService.service, containerServiceHandlers(deps));
  server.addService(proto.tsrun.engine.v1.VolumeService.service, volumeServiceHandlers(deps));
  server.addService(proto.tsrun.engine.v1.SystemService.service, systemServiceHandlers(deps));
}
