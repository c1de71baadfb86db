/**
 * A small pool of worker threads (one per core, at most 4) that apply layers, so
 * that the synchronous file-system calls, gunzip and sha256 of several layers use
 * several cores instead of taking turns on the main thread. The blob is read here
 * (any ContentStore) and streamed to the worker over a MessagePort with a window
 * of chunks in flight; the worker runs the same applyLayer. Errors come back as
 * EngineErrors with the worker's code and message.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { EngineError } from '@tsrun/oci-spec';
import type { ApplyResult } from './apply-layer.js';
import type { BlobMessage, JobReply, JobRequest } from './worker-protocol.js';

/** Chunks sent but not yet consumed by the worker. */
const WINDOW = 16;

// Built code runs unpack-worker.js beside this file; from sources (tsx, vitest) the
// worker registers tsx's loader first and then imports unpack-worker.ts.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './unpack-worker.ts' : './unpack-worker.js', import.meta.url);

function newWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  // tsx's ESM entry of its API (require.resolve would give the CommonJS one)
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=development'] });
}

interface Job {
  blob: Readable;
  mediaType: string;
  dest: string;
  what: string;
  resolve: (r: ApplyResult) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  job?: Job & { id: number; port: MessagePort };
  idle?: NodeJS.Timeout;
}

/** An idle worker (a V8 isolate of its own, ~10 MiB) is ended after this long; the next layer starts a new one. */
const IDLE_MS = 15_000;


export class LayerWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(readonly size = Math.max(1, Math.min(4, availableParallelism())), readonly idleMs = IDLE_MS) {}

  /** Workers alive now (busy or idle). */
  get workerCount(): number {
    return this.slots.length;
  }

  /** Applies the layer blob `blob` (compressed as `mediaType` or its magic says) into the empty directory `dest`. */
  apply(blob: Readable, mediaType: string, dest: string, what: string): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      this.queue.push({ blob, mediaType, dest, what, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const worker = newWorker();
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (reply: JobReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      this.finish(slot);
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(new EngineError(reply.error.code, reply.error.message));
    });
    const fail = (why: string): void => {
      this.slots.splice(this.slots.indexOf(slot), 1);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        job.port.close();
        job.blob.destroy();
        job.reject(new EngineError('internal', `${job.what}: unpack worker ${why}`));
      }
      this.dispatch();
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => { if (this.slots.includes(slot)) fail(`exited with ${code}`); });
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot): void {
    slot.job?.port.close();
    slot.job = undefined;
    slot.worker.unref();
    this.dispatch();
    if (!slot.job) {
      slot.idle = setTimeout(() => {
        if (slot.job) return;
        this.slots.splice(this.slots.indexOf(slot), 1);
        void slot.worker.terminate();
      }, this.idleMs);
      slot.idle.unref();
    }
  }

  private start(slot: Slot, job: Job): void {
    clearTimeout(slot.idle);
    const id = this.nextId++;
    const { port1, port2 } = new MessageChannel();
    slot.job = { ...job, id, port: port1 };
    slot.worker.ref();
    let inFlight = 0;
    const send = (msg: BlobMessage, transfer: ArrayBuffer[] = []): void => port1.postMessage(msg, transfer);
    port1.on('message', () => {
      inFlight -= 1;
      if (inFlight < WINDOW && job.blob.isPaused()) job.blob.resume();
    });
    job.blob.on('data', (chunk: Buffer) => {
      const data = new Uint8Array(chunk); // a copy of its own, so its buffer can be transferred
      inFlight += 1;
      send({ type: 'chunk', data }, [data.buffer as ArrayBuffer]);
      if (inFlight >= WINDOW) job.blob.pause();
    });
    job.blob.on('end', () => send({ type: 'end' }));
    job.blob.on('error', (err: NodeJS.ErrnoException) => send({ type: 'error', message: err.message, errno: err.code }));
    const request: JobRequest = { id, dest: job.dest, mediaType: job.mediaType, what: job.what, port: port2 };
    slot.worker.postMessage(request, [port2]);
  }
}
