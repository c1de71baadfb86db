import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPlannerServer, type PlannerServer } from './planner-server.js';
import { planOneShot } from './one-shot.js';
import { hybridHost, runcSpec, tempBundle } from '../testdata/fixtures.js';
import { stateDirFor } from '../testdata/state-dir.js';

function ask(socket: string, line: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${line}\n`));
    s.on('data', (d: string) => (buf += d));
    s.on('end', () => {
      try {
        expect(buf.endsWith('\n')).toBe(true);
        expect(buf.trim().split('\n')).toHaveLength(1);
        resolve(JSON.parse(buf));
      } catch (err) {
        reject(err);
      }
    });
    s.on('error', reject);
  });
}

const servers: PlannerServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The `tsrun create` the requests come from, in a cgroup of its own. */
const CALLER = 4242;
const host = () => hybridHost({ [`/proc/${CALLER}/cgroup`]: '4:memory:/caller/job\n0::/\n' });

async function start(opts: Partial<Parameters<typeof startPlannerServer>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-planner-'));
  const socketPath = join(dir, 'planner', 'planner.sock');
  const server = await startPlannerServer({ socketPath, handler: { host: host() }, ...opts });
  servers.push(server);
  return server;
}

describe('planner server', () => {
  it('listens on a 0600 socket in a 0700 directory', async () => {
    const s = await start();
    expect(statSync(s.socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(s.socketPath, '..')).mode & 0o777).toBe(0o700);
  });

  it('plans a create request into plan.json and keeps the config copy', async () => {
    const s = await start();
    const bundle = tempBundle();
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(runcSpec()));
    const stateDir = join(mkdtempSync(join(tmpdir(), 'tsrun-root-')), 'c1');
    const answer = await ask(s.socketPath, JSON.stringify({ op: 'create', id: 'c1', bundle, stateDir, noPivot: false, noNewKeyring: true, callerPid: CALLER }));
    expect(answer).toEqual({ ok: true });
    const plan = JSON.parse(readFileSync(join(stateDir, 'plan.json'), 'utf8'));
    expect(plan).toMatchObject({ planVersion: 1, id: 'c1', bundle, stateDir, newKeyring: false, rootfs: join(bundle, 'rootfs') });
    expect(readFileSync(join(stateDir, 'config.json'), 'utf8')).toBe(readFileSync(join(bundle, 'config.json'), 'utf8'));
  });

  it('puts a relative cgroupsPath under the caller\'s cgroup', async () => {
    const s = await start();
    const bundle = tempBundle();
    writeFileSync(join(bundle, 'config.json'), JSON.stringify({ ...runcSpec(), linux: { ...runcSpec().linux, cgroupsPath: 'ctr' } }));
    const stateDir = join(mkdtempSync(join(tmpdir(), 'tsrun-root-')), 'c1');
    const req = { op: 'create', id: 'c1', bundle, stateDir, noPivot: false, noNewKeyring: false };
    expect(await ask(s.socketPath, JSON.stringify({ ...req, callerPid: CALLER }))).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(join(stateDir, 'plan.json'), 'utf8')).cgroup.dirs).toContain('/sys/fs/cgroup/memory/caller/job/ctr');
    expect(await ask(s.socketPath, JSON.stringify(req))).toEqual({
      ok: false, error: 'request: field "callerPid": must be a process id (a positive integer)', code: 'invalid_argument',
    });
  });

  it('answers invalid configs with the path and code', async () => {
    const s = await start();
    const bundle = tempBundle();
    const c = runcSpec();
    c.process.args = [];
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(c));
    const stateDir = join(mkdtempSync(join(tmpdir(), 'tsrun-root-')), 'c1');
    expect(await ask(s.socketPath, JSON.stringify({ op: 'create', id: 'c1', bundle, stateDir, noPivot: false, noNewKeyring: false, callerPid: CALLER }))).toEqual({
      ok: false, error: 'config.json: /process/args: must NOT have fewer than 1 items', code: 'invalid_argument',
    });
    expect(existsSync(join(stateDir, 'plan.json'))).toBe(false);
    const missing = await ask(s.socketPath, JSON.stringify({ op: 'create', id: 'c1', bundle: '/nonexistent', stateDir, noPivot: false, noNewKeyring: false, callerPid: CALLER }));
    expect(missing).toMatchObject({ ok: false, code: 'not_found' });
    expect(missing.error).toMatch(/^read \/nonexistent\/config.json: ENOENT/);
  });

  it('answers malformed requests naming the field, never with a stack', async () => {
    const s = await start();
    expect(await ask(s.socketPath, 'not json')).toEqual({ ok: false, error: 'request: not valid JSON', code: 'invalid_argument' });
    expect(await ask(s.socketPath, '{"op":"create","id":"c1","bundle":"rel","stateDir":"/s"}')).toEqual({
      ok: false, error: 'request: field "bundle": must be an absolute path', code: 'invalid_argument',
    });
    expect((await ask(s.socketPath, '{"op":"destroy"}')).error).toBe('request: field "op": unknown operation "destroy"');
    expect((await ask(s.socketPath, '{"op":"exec","id":"c1","stateDir":"/s","processFile":null,"overrides":{"args":"ls"},"out":"/o"}')).error).toBe(
      'request: field "overrides.args": must be an array of strings',
    );
  });

  it('writes an exec plan to out', async () => {
    const s = await start();
    const { stateDir } = stateDirFor();
    const out = join(stateDir, 'exec-1.json');
    const req = { op: 'exec', id: 'c1', stateDir, processFile: null, out,
      overrides: { args: ['sh'], env: [], cwd: null, user: null, additionalGids: [], caps: [], tty: false, noNewPrivs: false, apparmor: null, processLabel: null } };
    expect(await ask(s.socketPath, JSON.stringify(req))).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(out, 'utf8')).namespaces[0]).toEqual({ type: 'pid', path: `/proc/${process.pid}/ns/pid` });
  });

  it('replaces a stale socket and refuses to start twice', async () => {
    const s = await start();
    await expect(startPlannerServer({ socketPath: s.socketPath })).rejects.toThrow(/already serving/);
    expect((await ask(s.socketPath, '{}')).error).toBe('request: field "op": is required ("create" or "exec")');
    await s.close();
    writeFileSync(s.socketPath, '');
    const again = await startPlannerServer({ socketPath: s.socketPath, handler: { host: hybridHost() } });
    servers.push(again);
    expect((await ask(again.socketPath, '{}')).ok).toBe(false);
  });

  it('stops when idle and when its bundle file changes, removing its socket', async () => {
    const idle = await start({ idleMs: 50 });
    expect(await idle.stopped).toBe('idle');
    expect(existsSync(idle.socketPath)).toBe(false);
    const self = join(mkdtempSync(join(tmpdir(), 'tsrun-self-')), 'tsrun-node.cjs');
    writeFileSync(self, '//');
    const watching = await start({ watchFile: self, watchIntervalMs: 20 });
    utimesSync(self, new Date(), new Date(Date.now() + 5000));
    expect(await watching.stopped).toBe('bundle-changed');
  });
});

describe('one-shot planning', () => {
  it('reads one request from a stream', async () => {
    async function* input() {
      yield '{"op":';
      yield '"nope"}\n';
    }
    expect(await planOneShot(input())).toEqual({ ok: false, error: 'request: field "op": unknown operation "nope"', code: 'invalid_argument' });
  });
});
