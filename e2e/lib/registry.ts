// A real registry for tests: Debian's docker-registry (CNCF distribution 2.8)
// on a random loopback port, its storage in a temp dir; open, with htpasswd
// Basic auth (bcrypt, made by apache2-utils' htpasswd), or with token auth
// against a small token server in this process that signs JWTs with a
// self-signed certificate the registry trusts.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface User { username: string; password: string }

export interface TestRegistry {
  /** 127.0.0.1:<port> */
  host: string;
  dir: string;
  /** Token server requests seen (token auth only): the scopes asked for. */
  tokenRequests: { scopes: string[]; account: string | undefined }[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitListening(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited ${proc.exitCode}: ${log()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`docker-registry did not listen on ${url}: ${log()}`);
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenServer { realm: string; server: Server; requests: TestRegistry['tokenRequests'] }

/** Issues JWTs for the requested scopes to users with the right password; anonymous requests get no access. */
async function startTokenServer(dir: string, users: readonly User[], service: string, issuer: string): Promise<TokenServer> {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'token.key'),
    '-out', join(dir, 'token.crt'), '-days', '1', '-subj', '/CN=tsrun-test-token'], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'token.key'));
  const der = readFileSync(join(dir, 'token.crt'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const requests: TestRegistry['tokenRequests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...pw] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    requests.push({ scopes, account: user });
    if (basic !== undefined && !users.some((u) => u.username === user && u.password === pw.join(':'))) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = user === undefined ? [] : scopes.flatMap((s) => s.split(' ')).map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: user ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${header}.${claims}.${sig}`, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { realm: `http://127.0.0.1:${port}/token`, server, requests };
}

export async function startRegistry(opts: { auth?: 'none' | 'htpasswd' | 'token'; users?: readonly User[] } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-registry-'));
  const port = await freePort();
  const users = opts.users ?? [];
  let auth = '';
  let token: TokenServer | undefined;
  if (opts.auth === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, '');
    for (const u of users) execFileSync('htpasswd', ['-B', '-b', file, u.username, u.password], { stdio: 'ignore' });
    auth = `auth:\n  htpasswd:\n    realm: tsrun-test\n    path: ${file}\n`;
  } else if (opts.auth === 'token') {
    token = await startTokenServer(dir, users, 'tsrun-test', 'tsrun-test-issuer');
    auth = `auth:\n  token:\n    realm: ${token.realm}\n    service: tsrun-test\n    issuer: tsrun-test-issuer\n    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  }
  writeFileSync(join(dir, 'config.yml'), `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${auth}`);
  let output = '';
  const proc = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  // a test file that dies before its afterAll must not leave a registry behind
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitListening(`http://127.0.0.1:${port}/v2/`, proc, () => output);
  } catch (err) {
    proc.kill('SIGKILL');
    token?.server.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host: `127.0.0.1:${port}`,
    dir,
    tokenRequests: token?.requests ?? [],
    async stop() {
      process.off('exit', killOnExit);
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      if (token) await new Promise((r) => token!.server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
