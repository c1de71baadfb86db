/**
 * The container engine: Docker's container lifecycle over the runtime, image
 * and network services, each reached only through its interface (a local
 * implementation or a gRPC client). Records are persisted at every step, so
 * that a restarted daemon (live restore) finds every container, running or
 * exited, and finishes or undoes a step it was killed in.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EngineError, isEngineError } from '@tsrun/oci-spec';
import type { ImageStore } from '@tsrun/image-store';
import type { NetworkManager } from '@tsrun/network-manager';
import { writeJsonAtomic, type Runtime } from '@tsrun/runtime';
import type { CreateContainerRequest__Output } from '@tsrun/proto/generated/tsrun/engine/v1/CreateContainerRequest.js';
import { ContainerStore, type ContainerRecord, type ContainerStatus } from './container-store.js';
import type { EventBus } from './events.js';
import { buildSpec, mountPointsOf, type NetnsChoice } from './spec-builder.js';
import { copyNetworkFiles, writeEtcFiles } from './etc-files.js';
import { checkRestartPolicy, restartDelayMs, shouldRestart } from './restart-policy.js';
import { resolveUser } from './user.js';
import type { VolumeStore } from './volumes.js';

export interface EngineServices {
  runtime: Runtime;
  images: ImageStore;
  network: NetworkManager;
  volumes: VolumeStore;
  events: EventBus;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export interface EngineOptions {
  /** <data-root>/containers */
  root: string;
  logMaxSize?: number;
  logMaxFiles?: number;
  hostResolvConf?: string;
}

const RUNNING: ReadonlySet<ContainerStatus> = new Set(['running', 'paused', 'restarting']);
const DEFAULT_STOP_TIMEOUT_S = 10;

function now(): string {
  return new Date().toISOString();
}

function signalName(sig: string): string {
  return sig === '' ? 'SIGKILL' : sig;
}

export class ContainerEngine {
  readonly store: ContainerStore;
  readonly #s: EngineServices;
  readonly #o: EngineOptions;
  /** one operation at a time per container */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** settles when the container's current run has ended and been cleaned up */
  readonly #exits = new Map<string, Promise<void>>();
  readonly #removed = new Map<string, Array<() => void>>();
  /** attach streams waiting for the task to exist: start connects them before the process runs */
  readonly #attachWaiters = new Map<string, Array<(socket: string, ended: Promise<number>) => Promise<void>>>();
  /** the current run of each container: settles with its exit code once the exit is handled */
  readonly #runs = new Map<string, { ended: Promise<number>; end(code: number): void }>();
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  #closing = false;

  get events(): EventBus {
    return this.#s.events;
  }

  constructor(services: EngineServices, options: EngineOptions) {
    this.#s = services;
    this.#o = options;
    this.store = new ContainerStore(options.root);
  }

  #locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#locks.set(id, tail);
    void tail.then(() => { if (this.#locks.get(id) === tail) this.#locks.delete(id); });
    return next;
  }

  isRunning(r: ContainerRecord): boolean {
    return RUNNING.has(r.status);
  }

  /** Image digests used by some container (the image store refuses to remove them). */
  imagesInUse(): Set<string> {
    return new Set(this.store.all().map((r) => r.imageId));
  }

  async create(req: CreateContainerRequest__Output): Promise<{ id: string; warnings: string[] }> {
    const config = req.config;
    const hostConfig = req.hostConfig;
    if (!config || config.image === '') throw new EngineError('invalid_argument', 'CreateContainerRequest.config.image is required');
    if (!hostConfig) throw new EngineError('invalid_argument', 'CreateContainerRequest.host_config is required');
    checkRestartPolicy(hostConfig);
    // validate what can be checked before anything is made
    mountPointsOf(hostConfig, (name) => this.#s.volumes.pathOf(name));
    const id = randomBytes(32).toString('hex');
    const name = req.name !== '' ? req.name.replace(/^\//, '') : this.#randomName();
    this.store.reserve(name, id);
    const dir = this.store.dirOf(id);
    const record: ContainerRecord = {
      id, name, created: now(), image: config.image, imageId: '', config, hostConfig,
      hostname: config.hostname || id.slice(0, 12), path: '', args: [], rootfs: '', dir,
      logPath: join(dir, 'container.log'), status: 'creating', pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '',
      restartCount: 0, mounts: [], networks: [], ports: [], task: false, manuallyStopped: false,
    };
    try {
      // saved first, so that a crash while the rootfs is prepared leaves a record for restore to discard
      this.store.save(record);
      // both at once; both settle before a failure is thrown, so that #discard finds whatever was prepared
      const [got, prep] = await Promise.allSettled([this.#s.images.get(config.image), this.#s.images.prepareRootfs(id, config.image)]);
      if (got.status === 'rejected') throw got.reason;
      if (prep.status === 'rejected') throw prep.reason;
      const [image, prepared] = [got.value, prep.value];
      // not saved until 'created': a crash before that discards the record, and the rootfs by the id
      record.imageId = image.manifestDigest;
      record.rootfs = prepared.rootfs;
      for (const m of mountPointsOf(hostConfig, (n) => n)) if (m.type === 'volume') await this.#s.volumes.ensure(m.name);
      const built = buildSpec({
        id, hostname: record.hostname, config, hostConfig, image: image.config, rootfs: prepared.rootfs, containerDir: dir,
        user: resolveUser(prepared.rootfs, config.user || image.config.config?.User || ''),
        volumeDir: (n) => this.#s.volumes.pathOf(n), netns: this.#netnsChoice(record), cgroupsPath: `/tsd/${id}`,
      });
      writeEtcFiles(dir, record.hostname, hostConfig.networkMode === 'host', this.#o.hostResolvConf);
      writeJsonAtomic(join(dir, 'config.json'), built.spec);
      Object.assign(record, { path: built.path, args: built.args, mounts: built.mounts, status: 'created' });
      this.store.save(record);
    } catch (err) {
      await this.#discard(record);
      throw err;
    }
    this.#s.events.emit('container', 'create', id, { name, image: config.image });
    return { id, warnings: [] };
  }

  #randomName(): string {
    for (;;) {
      const name = `tsd_${randomBytes(4).toString('hex')}`;
      try {
        this.store.find(name);
      } catch {
        return name;
      }
    }
  }

  #netnsChoice(r: ContainerRecord): NetnsChoice {
    const mode = r.hostConfig.networkMode;
    if (mode === 'host') return { kind: 'host' };
    if (mode.startsWith('container:')) {
      const other = this.store.find(mode.slice('container:'.length));
      if (other.status !== 'running') throw new EngineError('failed_precondition', `--network ${mode}: container ${other.name} is not running`);
      return { kind: 'join', path: `/proc/${other.pid}/ns/net` };
    }
    return { kind: 'new' };
  }

  /** Undoes a create that failed or was cut short by a crash. */
  async #discard(r: ContainerRecord): Promise<void> {
    try {
      await this.#s.images.removeRootfs(r.id);
    } catch (err) {
      if (!isEngineError(err) || err.code !== 'not_found') this.#s.log.warn({ id: r.id, err: String(err) }, 'remove rootfs');
    }
    this.store.delete(r);
  }

  start(ref: string): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, () => this.#start(r, false));
  }

  async #start(r: ContainerRecord, restarting: boolean): Promise<void> {
    if (r.status === 'running' || r.status === 'paused') {
      if (restarting) return;
      return;
    }
    if (r.status === 'removing') throw new EngineError('failed_precondition', `container ${r.name} is being removed`);
    if (r.task) await this.#cleanupTask(r);
    const network = this.#networkOf(r);
    const run = this.#newRun(r.id);
    try {
      const task = await this.#s.runtime.create(r.id, r.dir, {
        logPath: r.logPath, logMaxSize: this.#o.logMaxSize ?? 0, logMaxFiles: this.#o.logMaxFiles ?? 0, stdin: r.config.openStdin,
      });
      Object.assign(r, { task: true, pid: task.pid });
      // the task is on disk before a network holds anything of it; without a network, a crash
      // before 'running' is saved leaves a task no record owns, which restore deletes
      if (network !== undefined) {
        this.store.save(r);
        await this.#connect(r, network, task.pid);
      }
      await this.#connectAttachers(r, task.attachSocket, run);
      await this.#s.runtime.start(r.id);
    } catch (err) {
      r.error = err instanceof Error ? err.message : String(err);
      await this.#cleanupTask(r);
      Object.assign(r, { status: 'exited', exitCode: 128, finishedAt: now(), pid: 0 });
      this.store.save(r);
      this.#endRun(r.id, 128);
      throw err;
    }
    Object.assign(r, { status: 'running', startedAt: now(), finishedAt: '', error: '', exitCode: 0, manuallyStopped: false });
    this.store.save(r);
    this.#watchExit(r);
    this.#s.events.emit('container', 'start', r.id, { name: r.name, image: r.image });
  }

  #networkOf(r: ContainerRecord): string | undefined {
    const mode = r.hostConfig.networkMode;
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return undefined;
    return mode === '' || mode === 'default' ? 'bridge' : mode;
  }

  async #connect(r: ContainerRecord, network: string, pid: number): Promise<void> {
    const ep = await this.#s.network.connect({ network, containerId: r.id, netnsPath: `/proc/${pid}/ns/net`, name: r.name, hostname: r.hostname });
    r.networks = [{ network, ipAddress: ep.address, ipPrefixLen: ep.prefix, gateway: ep.gateway, macAddress: ep.mac, aliases: [...ep.aliases] }];
    this.store.save(r);
    for (const f of copyNetworkFiles(r.dir, ep.filesDir)) this.#s.log.warn({ id: r.id, ...f }, 'copy network file');
    if (r.hostConfig.portBindings.length > 0) {
      const mappings = await this.#s.network.publishPorts({ containerId: r.id, ports: r.hostConfig.portBindings, network });
      r.ports = mappings.map((m) => ({ hostIp: m.hostIp, hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol }));
      this.store.save(r);
    }
  }

  #newRun(id: string): Promise<number> {
    let end!: (code: number) => void;
    const ended = new Promise<number>((resolve) => { end = resolve; });
    this.#runs.set(id, { ended, end });
    return ended;
  }

  #endRun(id: string, code: number): void {
    this.#runs.get(id)?.end(code);
    this.#runs.delete(id);
  }

  async #connectAttachers(r: ContainerRecord, socket: string, ended: Promise<number>): Promise<void> {
    const waiters = this.#attachWaiters.get(r.id) ?? [];
    this.#attachWaiters.delete(r.id);
    await Promise.all(waiters.map((w) => w(socket, ended).catch((err: unknown) => this.#s.log.warn({ id: r.id, err: String(err) }, 'attach'))));
  }

  /**
   * Calls `connect` with the attach socket and the run's end (its exit code, once handled) as
   * soon as the container's task exists: before its process runs when it is not started yet.
   */
  whenAttachable(ref: string, connect: (socket: string, ended: Promise<number>) => Promise<void>): Promise<void> {
    const r = this.store.find(ref);
    const run = this.#runs.get(r.id);
    if (r.task && this.isRunning(r) && run) return this.#s.runtime.state(r.id).then((st) => connect(st.attachSocket, run.ended));
    return new Promise((resolve, reject) => {
      const list = this.#attachWaiters.get(r.id) ?? [];
      list.push((socket, ended) => connect(socket, ended).then(resolve, (err: unknown) => { reject(err); throw err; }));
      this.#attachWaiters.set(r.id, list);
    });
  }

  #watchExit(r: ContainerRecord): void {
    const exited = (async () => {
      let code = 255;
      let at = now();
      try {
        const e = await this.#s.runtime.wait(r.id);
        code = e.exitCode;
        at = e.exitedAt || at;
      } catch (err) {
        if (this.#closing) return;
        this.#s.log.warn({ id: r.id, err: String(err) }, 'wait: the container task is gone');
      }
      if (this.#closing) return;
      await this.#locked(r.id, () => this.#onExit(r, code, at));
    })();
    this.#exits.set(r.id, exited);
  }

  async #onExit(r: ContainerRecord, exitCode: number, finishedAt: string): Promise<void> {
    if (!this.isRunning(r)) return;
    // the exit is on disk before the task (which also holds it) is deleted: a crash in between keeps the code
    Object.assign(r, { status: 'exited', exitCode, finishedAt, pid: 0 });
    this.store.save(r);
    if (r.hostConfig.autoRemove) {
      // the removal deletes the task with the rest (restore finishes a removal a crash cut short)
      this.#endRun(r.id, exitCode);
      this.#s.events.emit('container', 'die', r.id, { name: r.name, image: r.image, exitCode: String(exitCode) });
      void this.#locked(r.id, () => this.#remove(r, true)).catch((err: unknown) => this.#s.log.warn({ id: r.id, err: String(err) }, 'auto-remove'));
      return;
    }
    await this.#cleanupTask(r);
    this.store.save(r);
    this.#endRun(r.id, exitCode);
    this.#s.events.emit('container', 'die', r.id, { name: r.name, image: r.image, exitCode: String(exitCode) });
    if (this.#shouldRestart(r)) this.#scheduleRestart(r);
  }

  #shouldRestart(r: ContainerRecord): boolean {
    return !this.#closing && shouldRestart(r);
  }

  #scheduleRestart(r: ContainerRecord): void {
    const delay = restartDelayMs(r.restartCount);
    r.status = 'restarting';
    this.store.save(r);
    const timer = setTimeout(() => {
      this.#restartTimers.delete(r.id);
      void this.#locked(r.id, async () => {
        if (r.status !== 'restarting') return;
        r.restartCount += 1;
        await this.#start(r, true);
      }).catch((err: unknown) => this.#s.log.warn({ id: r.id, err: String(err) }, 'restart'));
    }, delay);
    this.#restartTimers.set(r.id, timer);
  }

  #cancelRestart(r: ContainerRecord): void {
    const t = this.#restartTimers.get(r.id);
    if (t) clearTimeout(t);
    this.#restartTimers.delete(r.id);
    if (r.status === 'restarting') {
      r.status = 'exited';
      this.store.save(r);
    }
  }

  /** Releases what a run of the container held: its ports, network endpoints and runtime task. */
  async #cleanupTask(r: ContainerRecord): Promise<void> {
    if (r.ports.length > 0 || r.hostConfig.portBindings.length > 0) {
      await this.#s.network.unpublishPorts(r.id).catch((err: unknown) => this.#s.log.warn({ id: r.id, err: String(err) }, 'unpublish ports'));
    }
    const network = this.#networkOf(r);
    if (network !== undefined) {
      await this.#s.network.disconnect(network, r.id).catch((err: unknown) => {
        if (!isEngineError(err) || err.code !== 'not_found') this.#s.log.warn({ id: r.id, err: String(err) }, 'disconnect');
      });
    }
    if (r.task) {
      await this.#s.runtime.delete(r.id, true).catch((err: unknown) => {
        if (!isEngineError(err) || err.code !== 'not_found') throw err;
      });
    }
    r.task = false;
    r.networks = [];
    r.ports = [];
  }

  stop(ref: string, timeoutS?: number): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, () => this.#stop(r, timeoutS));
  }

  async #stop(r: ContainerRecord, timeoutS?: number, signal?: string): Promise<void> {
    r.manuallyStopped = true;
    this.#cancelRestart(r);
    if (!this.isRunning(r)) {
      this.store.save(r);
      return;
    }
    this.store.save(r);
    const exited = this.#exits.get(r.id) ?? Promise.resolve();
    const timeout = timeoutS !== undefined && timeoutS >= 0 ? timeoutS : r.config.stopTimeout > 0 ? r.config.stopTimeout : DEFAULT_STOP_TIMEOUT_S;
    const sig = signal ?? (r.config.stopSignal || 'SIGTERM');
    if (r.status === 'paused') await this.#s.runtime.resume(r.id).catch(() => undefined);
    await this.#s.runtime.kill(r.id, sig, false).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeout * 1000); }),
    ]);
    clearTimeout(timer);
    if (timedOut) await this.#s.runtime.kill(r.id, 'SIGKILL', true).catch(() => undefined);
    await this.#waitExitHandled(r);
    this.#s.events.emit('container', 'stop', r.id, { name: r.name, image: r.image });
  }

  /** The exit handler runs under the container's lock, which the caller holds: run it here. */
  async #waitExitHandled(r: ContainerRecord): Promise<void> {
    const e = await this.#s.runtime.wait(r.id).catch(() => ({ exitCode: 255, exitedAt: now() }));
    await this.#onExit(r, e.exitCode, e.exitedAt || now());
  }

  restart(ref: string, timeoutS?: number): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, async () => {
      await this.#stop(r, timeoutS);
      await this.#start(r, false);
      this.#s.events.emit('container', 'restart', r.id, { name: r.name });
    });
  }

  kill(ref: string, signal: string): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, async () => {
      if (!this.isRunning(r) || !r.task) throw new EngineError('failed_precondition', `container ${r.name} is not running`);
      const sig = signalName(signal);
      if (/^(SIG)?KILL$|^9$/.test(sig.toUpperCase())) {
        r.manuallyStopped = true;
        this.store.save(r);
      }
      await this.#s.runtime.kill(r.id, sig, false);
      this.#s.events.emit('container', 'kill', r.id, { name: r.name, signal: sig });
    });
  }

  pause(ref: string): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, async () => {
      if (r.status !== 'running') throw new EngineError('failed_precondition', `container ${r.name} is not running`);
      await this.#s.runtime.pause(r.id);
      r.status = 'paused';
      this.store.save(r);
      this.#s.events.emit('container', 'pause', r.id, { name: r.name });
    });
  }

  unpause(ref: string): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, async () => {
      if (r.status !== 'paused') throw new EngineError('failed_precondition', `container ${r.name} is not paused`);
      await this.#s.runtime.resume(r.id);
      r.status = 'running';
      this.store.save(r);
      this.#s.events.emit('container', 'unpause', r.id, { name: r.name });
    });
  }

  remove(ref: string, force: boolean): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, () => this.#remove(r, force));
  }

  async #remove(r: ContainerRecord, force: boolean): Promise<void> {
    if (!this.store.all().includes(r)) return;
    if (this.isRunning(r) && r.status !== 'restarting') {
      if (!force) throw new EngineError('failed_precondition', `cannot remove container ${r.name}: the container is running: stop the container before removing or force remove`);
      await this.#stop(r, 0, 'SIGKILL');
    }
    this.#cancelRestart(r);
    r.status = 'removing';
    this.store.save(r);
    await this.#cleanupTask(r);
    await this.#s.images.removeRootfs(r.id).catch((err: unknown) => {
      if (!isEngineError(err) || err.code !== 'not_found') throw err;
    });
    this.store.delete(r);
    this.#exits.delete(r.id);
    for (const resolve of this.#removed.get(r.id) ?? []) resolve();
    this.#removed.delete(r.id);
    this.#s.events.emit('container', 'destroy', r.id, { name: r.name, image: r.image });
  }

  rename(ref: string, name: string): Promise<void> {
    const r = this.store.find(ref);
    return this.#locked(r.id, async () => {
      const newName = name.replace(/^\//, '');
      this.store.reserve(newName, r.id);
      const old = r.name;
      r.name = newName;
      this.store.save(r);
      this.store.release(old, r.id);
      this.#s.events.emit('container', 'rename', r.id, { name: newName, oldName: old });
    });
  }

  /** Resolves with the exit code once the condition holds: not-running (default), next-exit, removed. */
  async wait(ref: string, condition = 'not-running'): Promise<number> {
    const r = this.store.find(ref);
    if (!['', 'not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new EngineError('invalid_argument', `wait condition ${JSON.stringify(condition)}: want not-running, next-exit or removed`);
    }
    if (condition === 'removed') {
      await new Promise<void>((resolve) => {
        const list = this.#removed.get(r.id) ?? [];
        list.push(resolve);
        this.#removed.set(r.id, list);
      });
      return r.exitCode;
    }
    if (condition !== 'next-exit' && !this.isRunning(r) && r.status !== 'creating') return r.exitCode;
    const mark = r.finishedAt;
    for (;;) {
      const exits = this.#exits.get(r.id);
      if (exits !== undefined) await exits;
      await this.#locks.get(r.id);
      if (!this.store.all().includes(r)) return r.exitCode;
      if (!this.isRunning(r) && r.status !== 'creating' && (condition !== 'next-exit' || r.finishedAt !== mark)) return r.exitCode;
      // restarting, or a next exit still to come: look again shortly
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Live restore: reads the records back and reconciles each with its runtime task. */
  async restore(): Promise<void> {
    const { records, broken } = this.store.load();
    for (const dir of broken) this.#s.log.warn({ dir }, 'container directory without a record: left in place');
    for (const r of records) {
      try {
        await this.#locked(r.id, () => this.#restoreOne(r));
      } catch (err) {
        this.#s.log.warn({ id: r.id, err: String(err) }, 'restore');
      }
    }
    // a task no record owns is what a crash between the runtime's create and the record's save leaves
    for (const t of await this.#s.runtime.list().catch(() => [])) {
      const owner = this.store.all().find((r) => r.id === t.id);
      if (owner?.task) continue;
      this.#s.log.warn({ id: t.id }, 'removing a runtime task no container record owns');
      await this.#s.runtime.delete(t.id, true).catch((err: unknown) => this.#s.log.warn({ id: t.id, err: String(err) }, 'remove orphan task'));
    }
  }

  async #restoreOne(r: ContainerRecord): Promise<void> {
    if (r.status === 'creating') return this.#discard(r);
    if (r.status === 'removing') return this.#remove(r, true);
    if (r.task && r.status === 'exited') {
      // the exit was recorded, its task not yet deleted
      await this.#cleanupTask(r);
      this.store.save(r);
      if (this.#shouldRestart(r)) this.#scheduleRestart(r);
      return;
    }
    if (!r.task) {
      if (r.status === 'restarting' && this.#shouldRestart(r)) this.#scheduleRestart(r);
      else if (this.isRunning(r)) {
        Object.assign(r, { status: 'exited', exitCode: 255, finishedAt: now() });
        this.store.save(r);
      }
      return;
    }
    let st;
    try {
      st = await this.#s.runtime.state(r.id);
    } catch (err) {
      if (!isEngineError(err) || err.code !== 'not_found') throw err;
      st = undefined;
    }
    if (st && !st.exited && st.status !== 'created') {
      Object.assign(r, { status: st.status === 'paused' ? 'paused' : 'running', pid: st.pid });
      this.store.save(r);
      void this.#newRun(r.id);
      this.#watchExit(r);
      return;
    }
    if (r.status === 'created') {
      await this.#cleanupTask(r);
      this.store.save(r);
      return;
    }
    r.status = 'running';
    await this.#onExit(r, st?.exitCode ?? 255, st?.exitedAt || now());
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const t of this.#restartTimers.values()) clearTimeout(t);
    await Promise.allSettled([...this.#locks.values()]);
  }
}
