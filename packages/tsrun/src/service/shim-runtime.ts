/**
 * The local Runtime: drives the C shim binary (`tsrun --root ROOT create|start|
 * kill|delete|pause|resume`) and reads its state directories directly, so that
 * state, list and wait never start a process. With `plannerSocket` the shim's
 * front end asks that socket (served in this process) for the plan, so no
 * Node process is started per container. With `server` the commands run in a
 * resident `tsrun __server`, so that not even the shim is spawned per call
 * (exec still is: it relays the process's stdio).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Writable } from 'node:stream';
import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec/errors';
import { fsCgroupReader } from '../cgroups/cgroup-files.js';
import { readStats } from '../cgroups/stats-read.js';
import { statsToRuncJson } from '../cgroups/stats-json.js';
import { realHost } from '../plan/host.js';
import type { Plan } from '../plan/plan-types.js';
import { containerPids } from '../runtime/container-processes.js';
import { updateContainer } from '../runtime/update-container.js';
import { liveStatus, readPlan, readShimState, stateDirOf } from '../state/container-state.js';
import { codeOfMessage, shimFailure, shimMessage } from './shim-errors.js';
import type { ShimResult, ShimServer } from './shim-server.js';
import type { CreatedTask, ExecSession, ExecSpec, Runtime, TaskExit, TaskIo, TaskState } from './types.js';

export interface ShimRuntimeOptions {
  /** the state root, one directory per container (`tsrun --root`) */
  root: string;
  /** the C shim binary */
  binary: string;
  /** the planner socket the shim's front end asks (TSRUN_PLANNER_SOCKET) */
  plannerSocket?: string;
  /** how often wait re-reads a state that no file event announced (a shim killed outright) */
  waitPollMs?: number;
  /** runs the commands instead of a spawn each; its own environment applies (plannerSocket does not) */
  server?: ShimServer;
}

export const ATTACH_SOCKET = 'attach.sock';

/** Whether a process with this pid exists (EPERM: it does, not ours to signal). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the service reads of a plan after create: it never changes for a container's life. */
interface PlanInfo {
  plan: Pick<Plan, 'cgroup'> | null;
  warnings: string[];
  /** the creation time in state.json: a container made again under the same id has another plan */
  created: string;
}

export class ShimRuntime implements Runtime {
  readonly #o: ShimRuntimeOptions;
  /** by id: state and wait are asked often, and a plan is ~10 KB of JSON */
  readonly #plans = new Map<string, PlanInfo>();

  constructor(options: ShimRuntimeOptions) {
    this.#o = options;
  }

  async #run(what: string, args: string[]): Promise<string> {
    const argv = ['--root', this.#o.root, ...args];
    if (this.#o.server) {
      let r: ShimResult;
      try {
        r = await this.#o.server.run(argv);
      } catch (err) {
        throw new EngineError('unavailable', `${what}: ${(err as Error).message}`, { cause: err });
      }
      if (r.code !== 0) throw shimFailure(what, r.code, r.stderr);
      return r.stdout;
    }
    const env = { ...process.env, ...(this.#o.plannerSocket && { TSRUN_PLANNER_SOCKET: this.#o.plannerSocket }) };
    return new Promise((resolve, reject) => {
      execFile(this.#o.binary, argv, { env, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const spawnErr = err as NodeJS.ErrnoException;
        if (typeof spawnErr.code === 'string') {
          return reject(new EngineError('unavailable', `${what}: the shim ${this.#o.binary}: ${spawnErr.message}`, { cause: err }));
        }
        reject(shimFailure(what, String(spawnErr.code), stderr, err));
      });
    });
  }

  #dir(id: string): string {
    return stateDirOf(this.#o.root, id);
  }

  async create(id: string, bundle: string, io?: TaskIo): Promise<CreatedTask> {
    const args = ['create', '--bundle', bundle];
    if (io) {
      args.push('--log-path', io.logPath);
      if (io.logMaxSize) args.push('--log-max-size', String(Math.max(0, io.logMaxSize)));
      if (io.logMaxFiles) args.push('--log-max-files', String(io.logMaxFiles));
      if (io.stdin) args.push('--stdin');
    }
    const dir = this.#dir(id);
    await this.#run(`create ${id}`, [...args, id]);
    const state = readShimState(dir);
    return { pid: state.pid, attachSocket: join(dir, ATTACH_SOCKET), warnings: this.#planInfo(id, dir, state.created).warnings };
  }

  #planInfo(id: string, dir: string, created = ''): PlanInfo {
    const known = this.#plans.get(id);
    if (known?.created === created) return known;
    let info: PlanInfo;
    try {
      const plan = readPlan(dir) as Plan & { warnings?: string[] };
      info = { plan: { cgroup: plan.cgroup }, warnings: plan.warnings ?? [], created };
    } catch {
      // not written yet, or gone: ask again next time
      return { plan: null, warnings: [], created };
    }
    this.#plans.set(id, info);
    return info;
  }

  async start(id: string): Promise<string[]> {
    const out = await this.#run(`start ${id}`, ['start', id]);
    return out.split('\n').filter((l) => l.trim() !== '');
  }

  async kill(id: string, signal = 'SIGTERM', all = false): Promise<void> {
    await this.#run(`kill ${id}`, ['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.#run(`delete ${id}`, ['delete', ...(force ? ['--force'] : []), id]);
    this.#plans.delete(id);
  }

  async pause(id: string): Promise<void> {
    await this.#run(`pause ${id}`, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.#run(`resume ${id}`, ['resume', id]);
  }

  async state(id: string): Promise<TaskState> {
    return this.#stateOf(id, this.#dir(id));
  }

  #stateOf(id: string, dir: string): TaskState {
    const s = readShimState(dir);
    const status = liveStatus(s, this.#planInfo(id, dir, s.created).plan, realHost);
    const exit = s.tsrun;
    const recorded = exit?.exitCode !== undefined && exit.exitCode !== null;
    const signalled = exit?.exitSignal !== undefined && exit.exitSignal !== null;
    // the process can be gone a moment before its monitor records how it ended: only a
    // recorded exit, or a monitor that died without recording one, is an exit
    const monitorPid = exit?.monitorPid ?? 0;
    const exited = status === 'stopped' && (s.status === 'stopped' || recorded || signalled || !processAlive(monitorPid));
    return {
      id,
      status,
      pid: s.pid,
      bundle: s.bundle,
      created: s.created ?? '',
      exited,
      // a shim that died before recording leaves no code: 255, as Docker reports a lost container
      exitCode: recorded ? exit!.exitCode! : signalled ? 128 + exit!.exitSignal! : exited ? 255 : 0,
      exitedAt: exit?.finishedAt ?? '',
      attachSocket: join(dir, ATTACH_SOCKET),
    };
  }

  async list(): Promise<TaskState[]> {
    let names: string[];
    try {
      names = await readdir(this.#o.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: TaskState[] = [];
    for (const id of names.sort()) {
      try {
        out.push(this.#stateOf(id, join(this.#o.root, id)));
      } catch {
        // a directory being created or removed right now, or not a container
      }
    }
    return out;
  }

  wait(id: string): Promise<TaskExit> {
    const dir = this.#dir(id);
    return new Promise((resolve, reject) => {
      let watcher: FSWatcher | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void): void => {
        watcher?.close();
        clearInterval(timer);
        fn();
      };
      const check = (): void => {
        let s: TaskState;
        try {
          s = this.#stateOf(id, dir);
        } catch (err) {
          return finish(() => reject(err));
        }
        if (s.exited) finish(() => resolve({ exitCode: s.exitCode, exitedAt: s.exitedAt }));
      };
      try {
        watcher = watch(dir, { persistent: false }, () => check());
        watcher.on('error', () => undefined);
      } catch (err) {
        return reject(new EngineError('not_found', `container ${id} does not exist`, { cause: err }));
      }
      timer = setInterval(check, this.#o.waitPollMs ?? 1000);
      timer.unref?.();
      check();
    });
  }

  async pids(id: string): Promise<number[]> {
    return containerPids(readPlan(this.#dir(id)));
  }

  async stats(id: string): Promise<unknown> {
    const plan = readPlan(this.#dir(id));
    if (!plan.cgroup) throw new EngineError('failed_precondition', `container ${id} has no cgroup`);
    return statsToRuncJson(readStats(plan.cgroup, fsCgroupReader));
  }

  /**
   * `tsrun exec` in the foreground with pipes for stdio: the process's output
   * comes back through this call (with a TTY, the shim relays the pty to its
   * stdout). The front end exits with the process's exit status.
   */
  async exec(id: string, spec: ExecSpec): Promise<ExecSession> {
    const st = this.#stateOf(id, this.#dir(id));
    if (st.status !== 'running') throw new EngineError('failed_precondition', `exec in ${id}: the container is ${st.status}, not running`);
    if (spec.args.length === 0) throw new EngineError('invalid_argument', `exec in ${id}: no command given`);
    const args = ['--root', this.#o.root, 'exec'];
    if (spec.tty) args.push('--tty');
    if (spec.cwd) args.push('--cwd', spec.cwd);
    for (const e of spec.env ?? []) args.push('--env', e);
    if (spec.user) args.push('--user', spec.user);
    for (const c of spec.capabilities ?? []) args.push('--cap', c);
    args.push(id, ...spec.args);
    // with a TTY, sizes go to the shim's relay as "ROWS COLS" lines on fd 3 (it has no terminal to take SIGWINCH from)
    const env = {
      ...process.env, ...(this.#o.plannerSocket && { TSRUN_PLANNER_SOCKET: this.#o.plannerSocket }), ...(spec.tty && { TSRUN_RESIZE_FD: '3' }),
    };
    const child = spawn(this.#o.binary, args, { env, stdio: ['pipe', 'pipe', 'pipe', spec.tty ? 'pipe' : 'ignore'] }) as ChildProcessWithoutNullStreams;
    const resizes = child.stdio[3] as unknown as Writable | null;
    resizes?.on('error', () => undefined);
    let stderrTail = '';
    const stderrListeners: Array<(d: Buffer) => void> = [];
    child.stderr.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-4096);
      for (const l of stderrListeners) l(d);
    });
    child.stdin.on('error', () => undefined);
    if (!spec.stdin) child.stdin.end();
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new EngineError('unavailable', `exec in ${id}: the shim ${this.#o.binary}: ${err.message}`)));
      child.once('close', (code, signal) => {
        if (code === 255 || (code === 1 && /^tsrun: /m.test(stderrTail))) {
          return reject(new EngineError(codeOfMessage(shimMessage(stderrTail)), `exec in ${id}: ${shimMessage(stderrTail)}`));
        }
        resolve(code ?? 128 + (signal ? 9 : 0));
      });
    });
    exited.catch(() => undefined);
    return {
      onStdout: (fn) => void child.stdout.on('data', fn),
      onStderr: (fn) => void stderrListeners.push(fn),
      write: (data) => void child.stdin.write(data),
      closeStdin: () => child.stdin.end(),
      resize: (rows, cols) => void resizes?.write(`${rows} ${cols}\n`),
      cancel: () => void child.kill('SIGKILL'),
      exited,
    };
  }

  async update(id: string, resources: unknown): Promise<void> {
    updateContainer(this.#dir(id), resources as Parameters<typeof updateContainer>[1]);
  }
}
