/**
 * One connection to tsd and the typed clients of every service it serves on that
 * socket (they share one channel), each made when a command first uses it. gRPC statuses become EngineErrors here, and a
 * daemon that cannot be reached becomes DaemonUnreachableError, one clear line.
 */
import { readFileSync } from 'node:fs';
import {
  type ChannelCredentials, type Client, type ClientReadableStream, type ClientUnaryCall, connectivityState,
  credentials, type ServiceError, status,
} from '@grpc/grpc-js';
import { EngineError, errorCodeFromGrpcStatus, wrapError } from '@tsrun/oci-spec/errors';
import { serviceClient } from '@tsrun/proto/service-client';
import { DaemonUnreachableError } from '../errors.js';
import type { DaemonAddress } from './address.js';
import type {
  ContainerServiceClient, ImageServiceClient, NetworkServiceClient, RegistryServiceClient, SystemServiceClient, VolumeServiceClient,
} from './wire.js';

/** How long tsctl waits for the connection itself (a missing or refused socket fails at once; a busy daemon may take a while to accept); calls then run as long as they need. */
export const CONNECT_TIMEOUT_MS = 30_000;

type Callback<R> = (err: ServiceError | null, value?: R) => void;
/* eslint-disable @typescript-eslint/no-explicit-any -- matching the generated clients' overloads needs `any` */
type AnyUnary = (arg: any, cb: (err: any, value?: any) => void) => ClientUnaryCall;
type ArgOf<F> = F extends (arg: infer A, cb: (err: any, value?: any) => void) => ClientUnaryCall ? A : never;
type ResultOf<F> = F extends (arg: any, cb: (err: any, value?: infer R) => void) => ClientUnaryCall ? R : never;
/* eslint-enable @typescript-eslint/no-explicit-any */
/** The unary methods of a generated client (their last overload is `(argument, callback)`). */
type UnaryMethod<C> = { [K in keyof C]: C[K] extends AnyUnary ? K : never }[keyof C] & string;

/** "No connection established. Last error: Error: connect ENOENT /run/tsd/tsd.sock. Resolution note: " -> "connect ENOENT /run/tsd/tsd.sock" */
export function connectionReason(details: string): string {
  const m = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(details);
  return (m?.[1] ?? details).trim() || 'connection refused';
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw wrapError(err, `${flag} ${file}`, 'invalid_argument');
  }
}

export class Daemon {
  private readonly creds: ChannelCredentials;
  private readonly clients = new Map<string, Client>();
  private connected: Promise<void> | undefined;

  constructor(readonly address: DaemonAddress) {
    this.creds = address.kind === 'unix'
      ? credentials.createInsecure()
      : credentials.createSsl(readPem(address.tls.ca, '--tlscacert'), readPem(address.tls.key, '--tlskey'), readPem(address.tls.cert, '--tlscert'));
  }

  get containers(): ContainerServiceClient { return this.client('tsrun.engine.v1.ContainerService'); }
  get volumes(): VolumeServiceClient { return this.client('tsrun.engine.v1.VolumeService'); }
  get system(): SystemServiceClient { return this.client('tsrun.engine.v1.SystemService'); }
  get images(): ImageServiceClient { return this.client('tsrun.images.v1.ImageService'); }
  get registry(): RegistryServiceClient { return this.client('tsrun.registry.v1.RegistryService'); }
  get networks(): NetworkServiceClient { return this.client('tsrun.network.v1.NetworkService'); }

  /** `C`: the generated client type of `service`, which serviceClient's class implements. */
  private client<C extends Client>(service: string): C {
    let c = this.clients.get(service);
    if (c === undefined) {
      const first = this.clients.values().next().value;
      const Ctor = serviceClient(service);
      c = new Ctor(this.address.target, this.creds, first ? { channelOverride: first.getChannel() } : {});
      this.clients.set(service, c);
    }
    return c as C;
  }

  /**
   * Waits until the channel is connected or has failed once; a failed channel is left
   * for the first call to report with its reason (waitForReady is false, so that
   * call fails at once instead of retrying).
   */
  ready(): Promise<void> {
    this.connected ??= new Promise((resolve, reject) => {
      const channel = this.containers.getChannel();
      const deadline = Date.now() + CONNECT_TIMEOUT_MS;
      const check = (): void => {
        const state = channel.getConnectivityState(true);
        if (state === connectivityState.READY || state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
          resolve();
          return;
        }
        channel.watchConnectivityState(state, deadline, (err) => {
          if (err) reject(new DaemonUnreachableError(this.address.display, `no connection after ${CONNECT_TIMEOUT_MS / 1000}s`));
          else check();
        });
      };
      check();
    });
    return this.connected;
  }

  /** A gRPC failure as an EngineError; UNAVAILABLE without a working connection as DaemonUnreachableError. */
  error(err: unknown): Error {
    const e = err as Partial<ServiceError>;
    if (typeof e?.code !== 'number') return err instanceof Error ? err : new Error(String(err));
    const details = e.details || e.message || '';
    if (e.code === status.UNAVAILABLE) {
      const state = this.clients.size > 0 ? this.containers.getChannel().getConnectivityState(false) : connectivityState.IDLE;
      if (state !== connectivityState.READY || details.startsWith('No connection established')) {
        return new DaemonUnreachableError(this.address.display, connectionReason(details), { cause: err });
      }
    }
    return new EngineError(errorCodeFromGrpcStatus(e.code), details, { cause: err });
  }

  /** One unary call: `await daemon.call(daemon.containers, 'Inspect', { id })`. */
  async call<C extends Client, K extends UnaryMethod<C>>(client: C, method: K, arg: ArgOf<C[K]>): Promise<ResultOf<C[K]>> {
    await this.ready();
    return new Promise((resolve, reject) => {
      const fn = client[method] as unknown as (a: unknown, cb: Callback<ResultOf<C[K]>>) => ClientUnaryCall;
      fn.call(client, arg, (err, value) => (err ? reject(this.error(err)) : resolve(value as ResultOf<C[K]>)));
    });
  }

  /** The messages of a server stream, with its failure as an EngineError. */
  async *read<T>(open: () => ClientReadableStream<T>): AsyncGenerator<T> {
    await this.ready();
    const call = open();
    try {
      for await (const message of call) yield message as T;
    } catch (err) {
      throw this.error(err);
    } finally {
      call.cancel();
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
