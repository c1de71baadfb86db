/**
 * The client of `tsrun __server` (runtime-shim/src/server.h): one resident shim
 * process that forks a worker per command, so that a runtime call costs no
 * Node spawn. Requests and responses are JSON lines matched by id; many may be
 * in flight. When the server dies, the calls in flight are rejected and the
 * next call starts a new one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '@tsrun/oci-spec/errors';

export interface ShimResult {
  /** the command's exit code, 128+signal when a signal ended it */
  code: number;
  stdout: string;
  stderr: string;
}

interface Pending {
  resolve(r: ShimResult): void;
  reject(err: Error): void;
}

interface Response extends ShimResult {
  id: number | null;
}

export class ShimServer {
  readonly #binary: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #pending = new Map<number, Pending>();
  #child: ChildProcess | undefined;
  #buffer = '';
  #nextId = 1;
  #closed = false;

  private constructor(binary: string, env: NodeJS.ProcessEnv) {
    this.#binary = binary;
    this.#env = env;
  }

  /** Starts `binary __server`; its environment, `env`, is the one every command sees. */
  static start(binary: string, env: NodeJS.ProcessEnv = process.env): ShimServer {
    const server = new ShimServer(binary, env);
    server.#spawn();
    return server;
  }

  /** The server's pid, while one runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Runs `tsrun ...argv` (without the program name) and resolves with how it ended, whatever its code. */
  run(argv: string[]): Promise<ShimResult> {
    if (this.#closed) return Promise.reject(new EngineError('unavailable', `the shim server ${this.#binary} is closed`));
    const child = this.#child ?? this.#spawn();
    const id = this.#nextId++;
    return new Promise<ShimResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ref();
      child.stdin!.write(`${JSON.stringify({ id, argv })}\n`);
    });
  }

  /** Ends the server (EOF on its stdin); calls still in flight are rejected. Commands it started run to their end. */
  close(): void {
    this.#closed = true;
    this.#child?.stdin?.end();
  }

  #spawn(): ChildProcess {
    const child = spawn(this.#binary, ['__server'], { env: this.#env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child = child;
    this.#buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.#receive(chunk));
    // a write to a server that just died: its exit rejects the calls
    child.stdin!.on('error', () => undefined);
    child.once('error', (err) => this.#gone(child, err.message));
    // close, not exit: the responses it wrote before it died are read first
    child.once('close', (code, signal) => this.#gone(child, signal ? `killed by ${signal}` : `exited with status ${String(code)}`));
    this.#ref();
    return child;
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        continue;
      }
      const p = r.id === null ? undefined : this.#pending.get(r.id);
      if (!p) continue;
      this.#pending.delete(r.id!);
      p.resolve({ code: r.code, stdout: r.stdout, stderr: r.stderr });
    }
    this.#ref();
  }

  #gone(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    const err = new EngineError('unavailable', `the shim server ${this.#binary} ${why}`);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }

  /** An idle server keeps no process alive: only calls in flight hold the event loop. */
  #ref(): void {
    const child = this.#child;
    if (!child) return;
    const busy = this.#pending.size > 0;
    for (const s of [child, child.stdin, child.stdout] as Array<{ ref?(): void; unref?(): void } | null>) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
  }
}
