import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { EngineError } from '@tsrun/oci-spec';
import { ipArgv } from './run-command.js';

/** One command of a batch that the kernel (or ip) refused. */
export interface BatchFailure {
  readonly command: string;
  readonly message: string;
}

/** The resident process died before it answered for a whole batch: what it did of that batch is unknown. */
export class ResidentIpDiedError extends EngineError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** A marker line: `ip` refuses it (an unknown object) without touching netlink, which tells that every line before it was done. */
const MARKER = 'tsrun-batch-end';
const FAILED = /^Command failed -:(\d+)$/;

/**
 * Splits what `ip -force -batch` wrote to stderr into failures: each failing line
 * ends with `Command failed -:N`, preceded by ip's own words. Returns the failures by
 * line number and whether the marker at `markerLine` was reached.
 */
export function parseBatchStderr(text: string, markerLine: number): { failures: Map<number, string>; done: boolean } {
  const failures = new Map<number, string>();
  let pending: string[] = [];
  let done = false;
  for (const line of text.split('\n')) {
    const m = FAILED.exec(line);
    if (!m) {
      if (line.trim()) pending.push(line.trim());
      continue;
    }
    const n = Number(m[1]);
    if (n === markerLine) done = true;
    else failures.set(n, pending.join('; '));
    pending = [];
  }
  return { failures, done };
}

interface Pending {
  readonly first: number;
  readonly commands: readonly string[];
  readonly marker: number;
  readonly resolve: (f: BatchFailure[]) => void;
  readonly reject: (e: Error) => void;
}

/**
 * One `ip -force -batch -` process kept running in a network namespace and fed
 * batches through its stdin, so that a batch costs no process start (~3 ms here).
 * A batch ends with a marker line that ip refuses; its `Command failed -:N` on
 * stderr (unbuffered, in order) says the batch is over, and the lines before it
 * name the commands that failed. A dead process is replaced by the next batch.
 * Batches run one at a time (the caller serialises).
 */
export class ResidentIp {
  readonly #netns: string | undefined;
  #child: ChildProcessWithoutNullStreams | undefined;
  #line = 0;
  #stderr = '';
  #pending: Pending | undefined;

  constructor(netns: string | undefined) {
    this.#netns = netns;
  }

  get netns(): string | undefined {
    return this.#netns;
  }

  /** The pid of the running process, if any (for tests that kill it). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Runs `commands` (one ip command each, no newline); resolves with the ones that failed (empty: all done). */
  run(commands: readonly string[]): Promise<BatchFailure[]> {
    if (this.#pending) return Promise.reject(new EngineError('internal', 'ip batch: a batch is already running'));
    for (const c of commands) {
      if (/[\n\r\\]/.test(c)) return Promise.reject(new EngineError('invalid_argument', `ip batch: command ${JSON.stringify(c)}: newline or backslash`));
    }
    const child = this.#start();
    return new Promise((resolve, reject) => {
      const first = this.#line + 1;
      this.#line += commands.length + 1;
      this.#pending = { first, commands, marker: this.#line, resolve, reject };
      child.ref();
      (child.stdin as unknown as Socket).ref();
      (child.stderr as unknown as Socket).ref();
      child.stdin.write(`${commands.join('\n')}${commands.length ? '\n' : ''}${MARKER}\n`);
    });
  }

  /** Ends the process (it exits on end of input); the next batch starts a new one. Call it when links it may have cached the index of are deleted or made again. */
  close(): void {
    this.#child?.stdin.end();
    this.#child = undefined;
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) return this.#child;
    const argv = ipArgv(this.#netns, ['-force', '-batch', '-']);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
    this.#child = child;
    this.#line = 0;
    this.#stderr = '';
    child.stdin.on('error', () => { /* reported by 'close' */ });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (this.#child !== child) return;
      this.#stderr += s;
      this.#check();
    });
    const died = (why: string): void => {
      if (this.#child === child) this.#child = undefined;
      const p = this.#pending;
      if (!p || this.#child !== undefined) return;
      this.#pending = undefined;
      const said = this.#stderr.trim().split('\n').filter((l) => l && !FAILED.test(l)).join('; ');
      p.reject(new ResidentIpDiedError(`ip batch${this.#netns ? ` in ${this.#netns}` : ''}: the resident ip process ${why}${said ? ` (${said})` : ''}`));
    };
    child.on('error', (e) => died(`could not run: ${e.message}`));
    child.on('close', (code, signal) => died(signal ? `was killed by ${signal}` : `exited with status ${code}`));
    this.#idle(child);
    return child;
  }

  /** Settles the pending batch once its marker is on stderr. */
  #check(): void {
    const p = this.#pending;
    if (!p || !this.#stderr.endsWith('\n')) return;
    const { failures, done } = parseBatchStderr(this.#stderr, p.marker);
    if (!done) return;
    this.#stderr = '';
    this.#pending = undefined;
    // ip caches names to indexes: after a failure (e.g. a bridge deleted and made again behind it) the next batch gets a fresh process
    if (failures.size > 0) this.close();
    else if (this.#child) this.#idle(this.#child);
    const out: BatchFailure[] = [];
    for (const [line, message] of failures) {
      const i = line - p.first;
      if (i >= 0 && i < p.commands.length) out.push({ command: p.commands[i]!, message: message || 'failed' });
    }
    p.resolve(out);
  }

  /** An idle resident process does not keep the daemon's event loop alive; it exits when its stdin closes. */
  #idle(child: ChildProcessWithoutNullStreams): void {
    child.unref();
    (child.stdin as unknown as Socket).unref();
    (child.stderr as unknown as Socket).unref();
  }
}
