/**
 * An in-process transport for gRPC, as grpc-java's InProcessChannel and
 * grpc-go's bufconn: when tsd hosts a service itself (the embedded default),
 * the engine still calls it through its gRPC client and the service's own
 * handlers, with every message encoded and decoded by the contract, but with
 * no HTTP/2 connection in between. Each hop over the daemon's private socket
 * cost ~1.5 ms of both ends' CPU per call, seven hops per container (measured
 * with tools/bench/phases.ts).
 *
 * Unary and server-streaming calls run here; client-streaming and bidi calls
 * (exec, image import) and methods of services not registered here go to the
 * fallback channel, the real socket.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import {
  connectivityState, Metadata, status as Status,
  type Deadline, type ServiceDefinition, type UntypedServiceImplementation, type ServerErrorResponse,
} from '@grpc/grpc-js';
// the channel-level call, below the client's serialization: grpc-js exports no name for it
import type { Call, InterceptingListener, MessageContext, StatusObject } from '@grpc/grpc-js/build/src/call-interface.js';
import type { Channel } from '@grpc/grpc-js/build/src/channel.js';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';

/** What the add*Service functions need of a server: a grpc-js Server, an InProcessServer, or both at once. */
export interface ServiceRegistrar {
  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void;
}

/** Registers every service with each of `registrars`. */
export function allOf(...registrars: ServiceRegistrar[]): ServiceRegistrar {
  return { addService: (service, impl) => { for (const r of registrars) r.addService(service, impl); } };
}

type Handler = (call: unknown, callback?: (err: ServerErrorResponse | null, value?: unknown) => void) => void;

interface Method {
  kind: 'unary' | 'server-stream';
  handler: Handler;
  deserialize(buf: Buffer): unknown;
  serialize(value: unknown): Buffer;
}

/** The handlers of the services hosted in this process, by method path. */
export class InProcessServer implements ServiceRegistrar {
  readonly #methods = new Map<string, Method>();

  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    for (const [name, def] of Object.entries(service)) {
      if (def.requestStream) continue; // client-streaming and bidi go over the socket
      const fn = implementation[name] ?? implementation[def.originalName ?? ''];
      if (typeof fn !== 'function') continue;
      this.#methods.set(def.path, {
        kind: def.responseStream ? 'server-stream' : 'unary',
        handler: (fn as Handler).bind(implementation),
        deserialize: def.requestDeserialize,
        serialize: def.responseSerialize as (v: unknown) => Buffer,
      });
    }
  }

  method(path: string): Method | undefined {
    return this.#methods.get(path);
  }
}

/** A channel whose calls to `server`'s methods run in this process; the rest go to `fallback()`. */
export function inProcessChannel(server: InProcessServer, target: string, fallback: () => Channel): Channel {
  let socket: Channel | undefined;
  const other = (): Channel => (socket ??= fallback());
  let calls = 0;
  return {
    close: () => socket?.close(),
    getTarget: () => target,
    getConnectivityState: () => connectivityState.READY,
    watchConnectivityState: (_s, _d, callback) => { setImmediate(callback); },
    getChannelzRef: () => other().getChannelzRef(),
    createCall(path: string, deadline: Deadline, host: string | null | undefined, parent: ServerSurfaceCall | null, flags: number | null | undefined): Call {
      const m = server.method(path);
      if (!m) return other().createCall(path, deadline, host, parent, flags);
      return new InProcessCall(m, path, ++calls);
    },
  };
}

function statusOf(err: Partial<ServerErrorResponse> & { message?: string }): StatusObject {
  const code = typeof err.code === 'number' ? err.code : Status.UNKNOWN;
  return { code, details: err.details ?? err.message ?? 'unknown error', metadata: err.metadata ?? new Metadata() };
}

/** One call: the request is decoded and handed to the handler when the client half-closes. */
class InProcessCall implements Call {
  #listener: InterceptingListener | undefined;
  #metadata = new Metadata();
  #request: Buffer | undefined;
  #reads = 0;
  readonly #out: Buffer[] = [];
  #status: StatusObject | undefined;
  #done = false;
  readonly #events = new EventEmitter();
  #cancelled = false;

  constructor(private readonly m: Method, private readonly path: string, private readonly n: number) {}

  start(metadata: Metadata, listener: InterceptingListener): void {
    this.#metadata = metadata;
    this.#listener = listener;
  }

  sendMessageWithContext(context: MessageContext, message: Buffer): void {
    this.#request = message;
    context.callback?.();
  }

  halfClose(): void {
    queueMicrotask(() => this.#run());
  }

  startRead(): void {
    this.#reads += 1;
    this.#flush();
  }

  cancelWithStatus(code: Status, details: string): void {
    if (this.#done) return;
    this.#cancelled = true;
    this.#events.emit('cancelled');
    this.#out.length = 0;
    this.#finish({ code, details, metadata: new Metadata() });
  }

  getPeer(): string {
    return 'in-process';
  }

  getCallNumber(): number {
    return this.n;
  }

  setCredentials(): void {
    // no transport, no credentials: only this process reaches these handlers
  }

  getAuthContext(): null {
    return null;
  }

  #run(): void {
    if (this.#done) return;
    let request: unknown;
    try {
      if (this.#request === undefined) throw new Error('no request message');
      request = this.m.deserialize(this.#request);
    } catch (err) {
      this.#finish({ code: Status.INTERNAL, details: `${this.path}: bad request: ${(err as Error).message}`, metadata: new Metadata() });
      return;
    }
    this.#listener?.onReceiveMetadata(new Metadata());
    // what our handlers read of grpc-js's server calls; `cancelled` stays live
    const surface: PropertyDescriptorMap = {
      request: { value: request },
      metadata: { value: this.#metadata },
      cancelled: { get: () => this.#cancelled },
      getPeer: { value: () => 'in-process' },
      getPath: { value: () => this.path },
      getDeadline: { value: () => Infinity },
      sendMetadata: { value: () => undefined },
    };
    try {
      if (this.m.kind === 'unary') {
        this.m.handler(Object.defineProperties(this.#events, surface), (err, value) => {
          if (err) return this.#finish(statusOf(err));
          this.#push(value);
          this.#finish({ code: Status.OK, details: 'OK', metadata: new Metadata() });
        });
      } else {
        this.m.handler(this.#writable(surface));
      }
    } catch (err) {
      this.#finish(statusOf(err as ServerErrorResponse));
    }
  }

  /** The server side of a server-streaming call, as grpc-js's ServerWritableStream behaves for our handlers. */
  #writable(surface: PropertyDescriptorMap): Writable {
    const w = new Writable({
      objectMode: true,
      write: (chunk: unknown, _enc, cb) => { this.#push(chunk); cb(); },
      final: (cb) => { this.#finish({ code: Status.OK, details: 'OK', metadata: new Metadata() }); cb(); },
    });
    w.on('error', (err: ServerErrorResponse) => this.#finish(statusOf(err)));
    this.#events.on('cancelled', () => w.emit('cancelled'));
    return Object.defineProperties(w, surface);
  }

  #push(value: unknown): void {
    if (this.#done) return;
    try {
      this.#out.push(this.m.serialize(value));
    } catch (err) {
      this.#finish({ code: Status.INTERNAL, details: `${this.path}: bad response: ${(err as Error).message}`, metadata: new Metadata() });
      return;
    }
    this.#flush();
  }

  #finish(status: StatusObject): void {
    if (this.#done) return;
    this.#done = true;
    this.#status = status;
    this.#flush();
  }

  #flush(): void {
    queueMicrotask(() => {
      while (this.#reads > 0 && this.#out.length > 0) {
        this.#reads -= 1;
        this.#listener?.onReceiveMessage(this.#out.shift());
      }
      if (this.#status && this.#out.length === 0) {
        const s = this.#status;
        this.#status = undefined;
        this.#listener?.onReceiveStatus(s);
      }
    });
  }
}
