// tsctl as a person types it, against a real tsd: load, run (attached, --rm,
// -d), ps, logs, exec, inspect --format, stop, rm, and its errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBusyboxImage } from '../../tools/make-busybox-image.ts';
import { startTsd, TSCTL_BIN, type Tsd } from '../lib/tsd.ts';

let tsd: Tsd;
let work: string;

function tsctl(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [TSCTL_BIN, ...args], { env: opts.env ?? tsd.env, input: opts.input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsctl-e2e-'));
  await makeBusyboxImage(join(work, 'busybox.tar'));
  tsd = await startTsd();
}, 120_000);

afterAll(async () => {
  await tsd?.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('tsctl', () => {
  it('loads an image and lists it', () => {
    const load = tsctl(['load', '-i', join(work, 'busybox.tar')]);
    expect(load.code).toBe(0);
    expect(load.out).toContain('busybox:latest');
    const images = tsctl(['images']);
    expect(images.out).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID/);
    expect(images.out).toMatch(/\nbusybox\s+latest\s/);
  });

  it('runs attached with --rm and exits with the container\'s code every time', () => {
    const hello = tsctl(['run', '--rm', '-e', 'WHO=tsctl', 'busybox', 'sh', '-c', 'echo "hello $WHO"; echo to-stderr >&2']);
    expect([hello.code, hello.out, hello.err]).toEqual([0, 'hello tsctl\n', 'to-stderr\n']);
    for (let i = 0; i < 5; i += 1) expect(tsctl(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 3']).code).toBe(3);
    expect(tsctl(['ps', '-a', '-q']).out).toBe('');
  });

  it('pipes stdin with -i', () => {
    const r = tsctl(['run', '--rm', '-i', '--network', 'none', 'busybox', 'tr', 'a-z', 'A-Z'], { input: 'shout\n' });
    expect([r.code, r.out]).toEqual([0, 'SHOUT\n']);
  });

  it('runs detached: ps, logs, exec, inspect --format, stop, rm', async () => {
    const run = tsctl(['run', '-d', '--name', 'sleeper', '--memory', '32m', 'busybox', 'sh', '-c', 'echo started; exec sleep 300']);
    expect(run.code).toBe(0);
    const id = run.out.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = tsctl(['ps']);
    expect(ps.out).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
    expect(ps.out).toContain(id.slice(0, 12));
    expect(ps.out).toMatch(/Up .*sleeper/);
    let logs = tsctl(['logs', 'sleeper']).out;
    for (let i = 0; i < 30 && logs === ''; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      logs = tsctl(['logs', 'sleeper']).out;
    }
    expect(logs).toBe('started\n');
    const exec = tsctl(['exec', 'sleeper', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; exit 5']);
    expect([exec.code, exec.out]).toEqual([5, `${32 * 1024 * 1024}\n`]);
    expect(tsctl(['exec', 'sleeper', 'no-such-command']).code).toBe(127);
    expect(tsctl(['inspect', '--format', '{{.State.Running}} {{.Name}} {{.HostConfig.Memory}}', 'sleeper']).out).toBe(`true /sleeper ${32 * 1024 * 1024}\n`);
    expect(JSON.parse(tsctl(['inspect', 'sleeper']).out)[0].Id).toBe(id);
    expect(tsctl(['stop', '-t', '1', 'sleeper']).code).toBe(0);
    expect(tsctl(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'sleeper']).out).toBe('exited 137\n');
    expect(tsctl(['rm', 'sleeper']).code).toBe(0);
    expect(tsctl(['ps', '-a', '-q']).out).toBe('');
  });

  it('keeps data in a named volume, and shows top, pause, rename and events', async () => {
    expect(tsctl(['volume', 'create', 'keep']).code).toBe(0);
    expect(tsctl(['run', '--rm', '--network', 'none', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo kept > /data/file']).code).toBe(0);
    expect(tsctl(['run', '--rm', '--network', 'none', '-v', 'keep:/data:ro', 'busybox', 'cat', '/data/file']).out).toBe('kept\n');
    expect(tsctl(['volume', 'ls', '-q']).out).toBe('keep\n');

    const since = Math.floor(Date.now() / 1000) - 1;
    const id = tsctl(['run', '-d', '--network', 'none', '--name', 'busy', 'busybox', 'sleep', '300']).out.trim();
    const top = tsctl(['top', 'busy']);
    expect(top.out).toMatch(/PID/);
    expect(top.out).toContain('sleep 300');
    expect(tsctl(['pause', 'busy']).code).toBe(0);
    expect(tsctl(['inspect', '-f', '{{.State.Status}}', 'busy']).out).toBe('paused\n');
    expect(tsctl(['unpause', 'busy']).code).toBe(0);
    expect(tsctl(['rename', 'busy', 'renamed']).code).toBe(0);
    expect(tsctl(['inspect', '-f', '{{.Id}}', 'renamed']).out.trim()).toBe(id);
    const removed = tsctl(['volume', 'rm', 'keep']);
    expect(removed.code).toBe(0);
    expect(tsctl(['rm', '-f', 'renamed']).code).toBe(0);
    const events = tsctl(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`]);
    for (const action of ['create', 'start', 'pause', 'unpause', 'rename', 'destroy']) expect(events.out).toContain(` container ${action} ${id}`);
  });

  it('filters syscalls: no new namespaces or mounts without CAP_SYS_ADMIN, as Docker\'s default profile', () => {
    const denied = tsctl(['run', '--rm', '--network', 'none', 'busybox', 'unshare', '-U', 'true']);
    expect(denied.code).not.toBe(0);
    expect(denied.err).toContain('Operation not permitted');
    expect(tsctl(['run', '--rm', '--network', 'none', '--cap-add', 'SYS_ADMIN', 'busybox', 'unshare', '-U', 'true']).code).toBe(0);
    expect(tsctl(['run', '--rm', '--network', 'none', '--privileged', 'busybox', 'unshare', '-U', 'true']).code).toBe(0);
    const status = tsctl(['run', '--rm', '--network', 'none', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']);
    expect(status.out).toMatch(/Seccomp:\s+2/);
  });

  it('says what is wrong with bad input, and creates nothing', () => {
    const badFlag = tsctl(['run', '--bogus', 'busybox']);
    expect(badFlag.code).toBe(125);
    expect(badFlag.err).toContain('--bogus');
    const badPort = tsctl(['run', '-p', '80:abc', 'busybox', 'true']);
    expect(badPort.code).toBe(125);
    expect(badPort.err).toContain('invalid argument "80:abc" for "-p, --publish" flag');
    const badVolume = tsctl(['run', '-v', 'relative:dir', 'busybox', 'true']);
    expect(badVolume.code).toBe(125);
    expect(badVolume.err).toMatch(/relative:dir/);
    const unknown = tsctl(['run', '--rm', 'no-such-image:1', 'true']);
    expect(unknown.code).toBe(125);
    expect(unknown.err).toMatch(/no-such-image/);
    expect(tsctl(['create', '--name', 'dup', 'busybox', 'true']).code).toBe(0);
    const dup = tsctl(['create', '--name', 'dup', 'busybox', 'true']);
    expect(dup.code).toBe(125);
    expect(dup.err).toContain('"/dup" is already in use');
    expect(tsctl(['rm', 'dup']).code).toBe(0);
    expect(tsctl(['ps', '-a', '-q']).out).toBe('');
    const envFile = join(work, 'bad.env');
    writeFileSync(envFile, 'OK=1\n');
    expect(tsctl(['run', '--rm', '--env-file', envFile, '--network', 'none', 'busybox', 'sh', '-c', 'echo $OK']).out).toBe('1\n');
  });

  it('says clearly when the daemon is not running', () => {
    const r = tsctl(['ps'], { env: { ...process.env, TSD_HOST: `unix://${join(work, 'nothing.sock')}` } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot connect to tsd at unix://');
    expect(r.err).toContain('is the daemon running?');
  });
});
