import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, credentials, Server, ServerCredentials, status, type Client, type ServiceError, type ServiceDefinition } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOf, InProcessServer, inProcessChannel, loadProto } from './index.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the test drives the generated clients loosely */
type Ctor = (new (address: string, creds: unknown, options: object) => any) & { service: ServiceDefinition };
const contracts = loadProto<any>('runtime/v1/runtime.proto');
const Runtime: Ctor = contracts.tsrun.runtime.v1.RuntimeService;
const Registry: Ctor = contracts.tsrun.registry.v1.RegistryService;

let dir: string;
let socket: string;
let server: Server;
const local = new InProcessServer();
const seen = { cancelled: false, peer: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsrun-inproc-'));
  socket = `unix://${join(dir, 's.sock')}`;
  server = new Server();
  const both = allOf(server, local);
  both.addService(Runtime.service, {
    Wait(call: any, cb: any) {
      seen.peer = call.getPeer();
      if (call.request.id === 'missing') cb({ code: status.NOT_FOUND, details: `task ${call.request.id}: not found` });
      else cb(null, { exitCode: 7, exitedAt: `at ${call.request.id}` });
    },
    Exec(call: any) {
      // bidi: served over the socket only
      call.on('data', (m: any) => call.write({ stdout: Buffer.from(`echo ${m.start?.id ?? ''}`) }));
      call.on('end', () => call.end());
    },
  });
  // a service only the socket serves
  server.addService(Registry.service, {
    Login(_call: any, cb: any) { cb(null, {}); },
  });
  local.addService(Registry.service, {
    Pull(call: any) {
      if (call.request.reference === 'fail') {
        call.write({ progress: {} });
        call.emit('error', { code: status.UNAVAILABLE, details: 'registry down' });
        return;
      }
      if (call.request.reference === 'slow') {
        call.on('cancelled', () => { seen.cancelled = call.cancelled; });
        call.write({ progress: {} });
        return;
      }
      for (let i = 0; i < 3; i++) call.write({ result: { reference: `p${i}` } });
      call.write({ result: { reference: call.request.reference } });
      call.end();
    },
  });
  await new Promise<void>((resolve, reject) => server.bindAsync(socket, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
});

afterAll(() => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

function client<T extends Client>(Svc: Ctor): T {
  return new Svc(socket, credentials.createInsecure(), {
    channelOverride: inProcessChannel(local, socket, () => new Channel(socket, credentials.createInsecure(), {})),
  });
}

const unaryCall = (c: any, method: string, req: object) => new Promise<any>((resolve, reject) => c[method](req, (err: ServiceError | null, res: any) => (err ? reject(err) : resolve(res))));

function collect(stream: any): Promise<{ messages: any[]; error?: ServiceError }> {
  const messages: any[] = [];
  return new Promise((resolve) => {
    stream.on('data', (m: any) => messages.push(m));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages }));
  });
}

describe('in-process gRPC', () => {
  it('runs a unary call through the contract, in this process', async () => {
    const rt = client(Runtime);
    expect(await unaryCall(rt, 'wait', { id: 'c1' })).toEqual({ exitCode: 7, exitedAt: 'at c1' });
    expect(seen.peer).toBe('in-process');
    rt.close();
  });

  it('turns a handler error into the status a socket would give', async () => {
    const rt = client(Runtime);
    await expect(unaryCall(rt, 'wait', { id: 'missing' })).rejects.toMatchObject({ code: status.NOT_FOUND, details: 'task missing: not found' });
    rt.close();
  });

  it('streams a server-streaming call in order, then its end', async () => {
    const reg = client(Registry);
    const { messages, error } = await collect(reg.pull({ reference: 'busybox' }));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.result?.reference)).toEqual(['p0', 'p1', 'p2', 'busybox']);
    reg.close();
  });

  it('delivers the messages before an error status', async () => {
    const reg = client(Registry);
    const { messages, error } = await collect(reg.pull({ reference: 'fail' }));
    expect(messages).toHaveLength(1);
    expect(error).toMatchObject({ code: status.UNAVAILABLE, details: 'registry down' });
    reg.close();
  });

  it('tells the handler when the client cancels', async () => {
    const reg = client(Registry);
    const stream = reg.pull({ reference: 'slow' });
    await new Promise((resolve) => stream.once('data', resolve));
    const ended = collect(stream);
    stream.cancel();
    expect((await ended).error).toMatchObject({ code: status.CANCELLED });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.cancelled).toBe(true);
    reg.close();
  });

  it('sends bidi calls and methods not hosted here over the socket', async () => {
    const rt = client(Runtime);
    const exec = rt.exec();
    const out = collect(exec);
    exec.write({ start: { id: 'c2' } });
    exec.end();
    expect((await out).messages.map((m) => Buffer.from(m.stdout).toString())).toEqual(['echo c2']);
    const reg = client(Registry);
    expect(await unaryCall(reg, 'login', { registry: 'r' })).toEqual({});
    rt.close();
    reg.close();
  });
});
