/**
 * tsctl end to end against an in-process fake tsd: a real @grpc/grpc-js server on a
 * temporary unix socket, implementing the engine RPCs these tests use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Metadata, Server, ServerCredentials, status, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadProto } from '@tsrun/proto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Contracts } from './client/wire.js';
import type { CliIo } from './context.js';
import { main } from './main.js';
import { CONTAINER } from './testdata/container-info.js';

class Sink {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
}

type Unary = (call: ServerUnaryCall<any, any>, cb: sendUnaryData<any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
const fail = (code: number, details: string) => Object.assign(new Error(details), { code, details });

const dir = mkdtempSync(join(tmpdir(), 'tsctl-test-'));
const socket = `unix://${join(dir, 'tsd.sock')}`;
const server = new Server();
const calls: string[] = [];
let images = new Set(['nginx:1.27']);

const SUMMARIES = [
  { id: 'a1'.repeat(32), name: '/web', image: 'nginx:1.27', imageId: 'sha256:1', command: 'nginx -g \'daemon off;\'', created: new Date(Date.now() - 90_000).toISOString(), state: 'running', status: 'Up About a minute', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], labels: {} },
  { id: 'b2'.repeat(32), name: '/db', image: 'postgres:17', imageId: 'sha256:2', command: 'postgres', created: new Date(Date.now() - 3 * 3_600_000).toISOString(), state: 'exited', status: 'Exited (0) 2 hours ago', ports: [], labels: {} },
];

const containers: Record<string, Unary | ((call: ServerDuplexStream<any, any>) => void)> = { // eslint-disable-line @typescript-eslint/no-explicit-any
  List: (call, cb) => {
    calls.push(`List all=${call.request.all} filters=${JSON.stringify(call.request.filters)}`);
    cb(null, { containers: call.request.all ? SUMMARIES : SUMMARIES.filter((c) => c.state === 'running') });
  },
  Inspect: (call, cb) => {
    if (call.request.id === 'web') cb(null, CONTAINER);
    else cb(fail(status.NOT_FOUND, `no such container: ${call.request.id}`));
  },
  Stop: (call, cb) => {
    calls.push(`Stop ${call.request.id} ${call.request.timeout}`);
    if (call.request.id === 'web') cb(null, {});
    else cb(fail(status.NOT_FOUND, `no such container: ${call.request.id}`));
  },
  Create: (call, cb) => {
    const image = call.request.config.image;
    calls.push(`Create ${image}`);
    if (image === 'bad') cb(fail(status.INVALID_ARGUMENT, 'image reference "bad" is refused'));
    else if (!images.has(image)) cb(fail(status.NOT_FOUND, `image ${image} not found`));
    else cb(null, { id: 'c'.repeat(64), warnings: [] });
  },
  Attach: (call: ServerDuplexStream<any, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    call.once('data', (first) => {
      calls.push(`Attach ${first.container.id.slice(0, 4)}`);
      call.sendMetadata(new Metadata());
      started = () => {
        call.write({ stdout: Buffer.from('hello\n') });
        call.write({ stderr: Buffer.from('warn\n') });
        call.write({ exitCode: 7 });
        call.end();
      };
    });
  },
  Start: (call, cb) => {
    calls.push(`Start ${call.request.id.slice(0, 4)}`);
    cb(null, {});
    started?.();
  },
};
let started: (() => void) | undefined;

const registry = {
  Pull: (call: ServerWritableStream<any, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    calls.push(`Pull ${call.request.reference}`);
    const layer = `sha256:${'d'.repeat(64)}`;
    const total = (done: number, blobs: number) => ({ bytesDone: String(done), bytesTotal: '100', blobsDone: blobs, blobsTotal: 1 });
    call.write({ progress: { blob: { digest: layer, kind: 'layer', phase: 'PHASE_WAITING', bytesDone: '0', bytesTotal: '100' }, total: total(0, 0) } });
    call.write({ progress: { blob: { digest: layer, kind: 'layer', phase: 'PHASE_DOWNLOADING', bytesDone: '50', bytesTotal: '100' }, total: total(50, 0) } });
    call.write({ progress: { blob: { digest: layer, kind: 'layer', phase: 'PHASE_DONE', bytesDone: '100', bytesTotal: '100' }, total: total(100, 1) } });
    images.add(call.request.reference);
    call.write({ result: { reference: `docker.io/library/${call.request.reference}:latest`, repository: 'library/busybox', tag: 'latest', digest: `sha256:${'e'.repeat(64)}`, layers: [], imageConfigJson: '{}', bytesFetched: '100' } });
    call.end();
  },
};

function io(): CliIo & { stdout: Sink; stderr: Sink } {
  return { stdout: new Sink(), stderr: new Sink(), stdin: Readable.from([]) as CliIo['stdin'], env: {}, cwd: dir };
}

async function tsctl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const o = io();
  const code = await main(['-H', socket, ...argv], o);
  return { code, stdout: o.stdout.text, stderr: o.stderr.text };
}

beforeAll(async () => {
  const proto = loadProto<Contracts>('engine/v1/engine.proto');
  server.addService(proto.tsrun.engine.v1.ContainerService.service, containers as UntypedServiceImplementation);
  server.addService(proto.tsrun.registry.v1.RegistryService.service, registry as UntypedServiceImplementation);
  await new Promise<void>((resolve, reject) => server.bindAsync(socket, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  calls.length = 0;
  images = new Set(['nginx:1.27']);
  started = undefined;
});

describe('tsctl against a fake tsd', () => {
  it('ps prints docker\'s table', async () => {
    const r = await tsctl('ps', '-a', '--filter', 'status=running');
    expect(r.code).toBe(0);
    expect(calls).toEqual(['List all=true filters={"status":{"values":["running"]}}']);
    expect(r.stdout).toBe(
      'CONTAINER ID   IMAGE         COMMAND                  CREATED              STATUS                   PORTS                  NAMES\n'
      + 'a1a1a1a1a1a1   nginx:1.27    "nginx -g \'daemon of…"   About a minute ago   Up About a minute        0.0.0.0:8080->80/tcp   web\n'
      + 'b2b2b2b2b2b2   postgres:17   "postgres"               3 hours ago          Exited (0) 2 hours ago                          db\n',
    );
    expect((await tsctl('ps', '-q')).stdout).toBe('a1a1a1a1a1a1\n');
  });

  it('inspect --format applies the template to the container', async () => {
    const r = await tsctl('inspect', '--format', '{{.State.ExitCode}} {{.Name}} {{json .Config.Labels}}', 'web');
    expect(r).toEqual({ code: 0, stdout: '3 /web {"tier":"web"}\n', stderr: '' });
  });

  it('a NOT_FOUND from the daemon: one line with context, exit 1, the others still done', async () => {
    const r = await tsctl('stop', '-t', '3', 'nope', 'web');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('web\n');
    expect(r.stderr).toBe('tsctl: stop nope: no such container: nope\n');
    expect(calls.sort()).toEqual(['Stop nope 3', 'Stop web 3']);
  });

  it('run attaches before it starts, copies the streams, exits with the container\'s code', async () => {
    const r = await tsctl('run', '--rm', 'nginx:1.27', 'echo', 'hello', '-n');
    expect(calls).toEqual(['Create nginx:1.27', 'Attach cccc', 'Start cccc']);
    expect(r).toEqual({ code: 7, stdout: 'hello\n', stderr: 'warn\n' });
  });

  it('run pulls an image it does not find, then creates again', async () => {
    const r = await tsctl('run', '-d', 'busybox');
    expect(calls).toEqual(['Create busybox', 'Pull busybox', 'Create busybox', 'Start cccc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${'c'.repeat(64)}\n`);
    expect(r.stderr).toBe([
      "Unable to find image 'busybox:latest' locally",
      'Using default tag: latest',
      'latest: Pulling from library/busybox',
      'dddddddddddd: Pulling fs layer',
      'dddddddddddd: Downloading',
      'dddddddddddd: Download complete',
      `Digest: sha256:${'e'.repeat(64)}`,
      'Status: Downloaded newer image for busybox:latest',
      '',
    ].join('\n'));
  });

  it('run exits 125 when the daemon refuses the container, and on a bad flag', async () => {
    expect(await tsctl('run', 'bad')).toEqual({ code: 125, stdout: '', stderr: 'tsctl: run bad: image reference "bad" is refused\n' });
    const flag = await tsctl('run', '-p', '80:abc', 'nginx:1.27');
    expect(flag.code).toBe(125);
    expect(flag.stderr).toBe('tsctl: invalid argument "80:abc" for "-p, --publish" flag: invalid container port "abc": expected a number or a range (8000-8010)\n');
    expect(calls).toEqual(['Create bad']);
  });

  it('an unknown flag names the flag and exits 125', async () => {
    const r = await tsctl('ps', '--bogus');
    expect(r.code).toBe(125);
    expect(r.stderr).toBe("tsctl: unknown option '--bogus'\nSee 'tsctl ps --help'.\n");
  });

  it('a daemon that is not running: one clear line, exit 1', async () => {
    const missing = `unix://${join(dir, 'missing.sock')}`;
    const o = io();
    const code = await main(['-H', missing, 'ps'], o);
    expect(code).toBe(1);
    expect(o.stderr.text).toBe(`tsctl: cannot connect to tsd at ${missing}: is the daemon running? (connect ENOENT ${join(dir, 'missing.sock')})\n`);
    expect(o.stdout.text).toBe('');
  });
});
