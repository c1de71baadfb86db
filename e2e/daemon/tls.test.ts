// tsd on TCP: only with TLS and client certificates (made here with openssl);
// a client without a certificate is refused, and TCP without TLS is not served.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loadProto } from '../../packages/proto/src/index.ts';
import type { ProtoGrpcType } from '../../packages/proto/src/generated/engine.ts';
import { freePort } from '../lib/registry.ts';
import { startTsd, TSD_BIN, type Tsd } from '../lib/tsd.ts';

let dir: string;
let tsd: Tsd;
let port: number;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function cert(name: string, cn: string, ext: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsd-tls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=tsd test CA');
  cert('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  cert('client', 'client', 'extendedKeyUsage=clientAuth\n');
  port = await freePort();
  tsd = await startTsd([
    '-H', `tcp://127.0.0.1:${port}`, '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server-key.pem'),
  ], { hostNetwork: true, unixToo: true });
}, 60_000);

afterAll(async () => {
  await tsd?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function systemClient(creds: ReturnType<typeof credentials.createSsl>) {
  const proto = loadProto<ProtoGrpcType>('engine/v1/engine.proto');
  return new proto.tsrun.engine.v1.SystemService(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': 'localhost' });
}

describe('tsd over TCP', () => {
  it('serves a client with a certificate the CA signed', async () => {
    const read = (f: string): Buffer => readFileSync(join(dir, f));
    const c = systemClient(credentials.createSsl(read('ca.pem'), read('client-key.pem'), read('client.pem')));
    const v = await call<{ version: string }>((cb) => c.version({}, cb));
    expect(v.version).toMatch(/^\d+\.\d+\.\d+$/);
    c.close();
  });

  it('refuses a client without a certificate', async () => {
    const c = systemClient(credentials.createSsl(readFileSync(join(dir, 'ca.pem'))));
    await expect(call((cb) => c.version({}, { deadline: Date.now() + 5000 }, cb))).rejects.toThrow();
    c.close();
  });

  it('will not listen on TCP without TLS', () => {
    const r = spawnSync(TSD_BIN, ['--data-root', join(dir, 'd'), '--exec-root', join(dir, 'x'), '--bridge', 'none', '-H', 'tcp://127.0.0.1:1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('TCP needs --tlscacert, --tlscert and --tlskey');
  });
});
