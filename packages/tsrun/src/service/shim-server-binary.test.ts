// The real `tsrun __server` (runtime-shim/build/tsrun, or $TSRUN_BIN): containers
// through it, many requests at once, its death, and the image store's mount
// helpers. Root only, with Debian's busybox-static for the container.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSpec } from '../runtime/default-spec.js';
import { startPlannerServer, type PlannerServer } from '../server/planner-server.js';
import { ShimMounter } from './shim-mounter.js';
import { ShimRuntime } from './shim-runtime.js';
import { ShimServer } from './shim-server.js';

const BIN = process.env.TSRUN_BIN ?? fileURLToPath(new URL('../../../../runtime-shim/build/tsrun', import.meta.url));
const BUSYBOX = '/bin/busybox';
const enabled = process.getuid?.() === 0 && existsSync(BIN) && existsSync(BUSYBOX);

let dir: string;
let planner: PlannerServer;
let server: ShimServer;
let runtime: ShimRuntime;
let root: string;
let seq = 0;

/** A bundle running args on a read-only busybox rootfs; `edit` changes its config. */
function bundle(args: string[], edit: (c: ReturnType<typeof defaultSpec>) => void = () => {}): string {
  const b = join(dir, `bundle-${++seq}`);
  const rootfs = join(b, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  for (const a of ['sh', 'ls', 'sleep', 'readlink', 'cat', 'usleep', 'echo']) symlinkSync('busybox', join(rootfs, 'bin', a));
  const config = defaultSpec();
  config.process!.terminal = false;
  config.process!.args = args;
  edit(config);
  writeFileSync(join(b, 'config.json'), JSON.stringify(config));
  return b;
}

const id = (): string => `shim-server-${process.pid}-${++seq}`;

function sealedCopyOf(pid: number): { dev: number; ino: number } | undefined {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = join(`/proc/${pid}/fd`, fd);
    if (readlinkSync(link).startsWith('/memfd:tsrun ')) return statSync(link);
  }
  return undefined;
}

describe.runIf(enabled)('tsrun __server', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shim-server-'));
    root = mkdtempSync('/run/shim-server-test-');
    planner = await startPlannerServer({ socketPath: join(dir, 'planner.sock'), idleMs: 0, watchFile: null });
    server = ShimServer.start(BIN, { ...process.env, TSRUN_PLANNER_SOCKET: planner.socketPath });
    runtime = new ShimRuntime({ root, binary: BIN, server, waitPollMs: 100 });
  });
  afterAll(async () => {
    for (const c of await runtime.list()) await runtime.delete(c.id, true).catch(() => undefined);
    server.close();
    await planner.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, starts, waits for and deletes a container; its process has only stdio open', async () => {
    const c = id();
    const log = join(dir, `${c}.log`);
    await runtime.create(c, bundle(['sh', '-c', 'ls /proc/self/fd; exit 7']), { logPath: log });
    await runtime.start(c);
    expect((await runtime.wait(c)).exitCode).toBe(7);
    await runtime.delete(c);
    // 3 is ls's own directory fd
    const fds = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').at(-1));
    expect(fds).toEqual(['0', '1', '2', '3']);
    await expect(runtime.state(c)).rejects.toThrow();
  });

  it('answers a failing command with its exit code and stderr, which ShimRuntime maps', async () => {
    expect(await server.run(['--root', root, 'state', 'nosuch'])).toEqual({ code: 1, stdout: '', stderr: 'tsrun: container does not exist\n' });
    await expect(runtime.kill('nosuch')).rejects.toMatchObject({ code: 'not_found', message: 'kill nosuch: container does not exist' });
  });

  it('runs 20 requests at once', async () => {
    const b = bundle(['sleep', '30']);
    const ids = Array.from({ length: 20 }, () => id());
    const created = await Promise.all(ids.map((c) => server.run(['--root', root, 'create', '--bundle', b, '--log-path', join(dir, `${c}.log`), c])));
    expect(created.map((r) => r.stderr)).toEqual(ids.map(() => ''));
    const states = await Promise.all(ids.map((c) => server.run(['--root', root, 'state', c])));
    expect(states.map((r) => (JSON.parse(r.stdout) as { id: string; status: string }))).toEqual(ids.map((c) => expect.objectContaining({ id: c, status: 'created' })));
    const deleted = await Promise.all(ids.map((c) => server.run(['--root', root, 'delete', '--force', c])));
    expect(deleted.map((r) => r.code)).toEqual(ids.map(() => 0));
  }, 60_000);

  it('stage 1 is exec\'d from the server\'s one sealed copy, which a container cannot write through', async () => {
    const before = createHash('sha256').update(readFileSync(BIN)).digest('hex');
    const c = id();
    const { pid } = await runtime.create(c, bundle(['sleep', '10']), { logPath: join(dir, `${c}.log`) });
    expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/^\/memfd:tsrun/);
    const exe = statSync(`/proc/${pid}/exe`);
    expect(sealedCopyOf(server.pid!)).toMatchObject({ dev: exe.dev, ino: exe.ino });
    // as in e2e/runtime/security.test.ts: hold pid 1's exe, wait for the container process, write
    const attack = spawn('nsenter', ['--target', String(pid), '--mount', '--pid', '--', '/bin/busybox', 'sh', '-c',
      'exec 3</proc/1/exe; while [ "$(readlink /proc/1/exe)" != /bin/busybox ]; do usleep 10000; done; ' +
      'if echo pwned >> /proc/self/fd/3; then echo WROTE; else echo DENIED; fi'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    attack.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 200));
    await runtime.start(c);
    await new Promise((r) => attack.on('exit', r));
    expect(out.trim()).toBe('DENIED');
    expect(createHash('sha256').update(readFileSync(BIN)).digest('hex')).toBe(before);
    await runtime.delete(c, true);
  });

  it('rejects the calls in flight when it dies; they still finish, and the next call starts a new server', async () => {
    const c = id();
    // a prestart hook holds the create for a second
    const b = bundle(['sleep', '30'], (cfg) => { cfg.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '1'] }] }; });
    const first = server.pid!;
    const creating = runtime.create(c, b, { logPath: join(dir, `${c}.log`) });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first, 'SIGKILL');
    await expect(creating).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/killed by SIGKILL/) });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await runtime.state(c)).status).toBe('created');
    expect((await server.run(['--root', root, 'state', c])).code).toBe(0);
    expect(server.pid).not.toBe(first);
    await runtime.delete(c, true);
  });

  it('exits at EOF on its stdin', async () => {
    const s = ShimServer.start(BIN);
    expect((await s.run(['--version'])).stdout).toMatch(/^tsrun version/);
    const pid = s.pid!;
    s.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('mounts and unmounts an overlay from relative layer paths', async () => {
    const m = new ShimMounter(server);
    const s = mkdtempSync(join(tmpdir(), 'shim-overlay-'));
    try {
      for (const d of ['lower/fs', 'upper', 'work', 'merged']) mkdirSync(join(s, d), { recursive: true });
      writeFileSync(join(s, 'lower/fs/hello'), 'from lower');
      const merged = join(s, 'merged');
      await m.mountOverlay(s, 'lowerdir=lower/fs,upperdir=upper,workdir=work', merged);
      expect(readFileSync(join(merged, 'hello'), 'utf8')).toBe('from lower');
      writeFileSync(join(merged, 'new'), 'x');
      expect(existsSync(join(s, 'upper/new'))).toBe(true);
      await m.unmount(merged);
      expect(existsSync(join(merged, 'hello'))).toBe(false);
      await expect(m.unmount(merged)).rejects.toMatchObject({ code: 'not_found', message: `unmount \`${merged}\`: not mounted` });
      await expect(m.mountOverlay(s, 'lowerdir=missing', merged)).rejects.toMatchObject({
        message: expect.stringMatching(new RegExp(`^mount overlay on \`${merged}\`: `)),
      });
      await expect(m.mountOverlay(join(s, 'nowhere'), 'lowerdir=lower/fs', merged)).rejects.toMatchObject({
        message: `mount overlay on \`${merged}\`: change to \`${join(s, 'nowhere')}\`: No such file or directory`,
      });
    } finally {
      try { execFileSync('umount', [join(s, 'merged')], { stdio: 'ignore' }); } catch { /* not mounted */ }
      rmSync(s, { recursive: true, force: true });
    }
  });
});
