// tsd end to end over its gRPC API: a real daemon (in its own network
// namespace), the C shim and real containers from a busybox image.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBusyboxImage } from '../../tools/make-busybox-image.ts';
import { call } from '../../packages/proto/src/index.ts';
import { engineClient, type EngineClient } from '../lib/engine.ts';
import { drained, entriesAfterDeletes } from '../lib/leftovers.ts';
import { addNetns, delNetns, linkNames, runIn, wireOutside } from '../lib/netns.ts';
import { REPO, startTsd, type Tsd } from '../lib/tsd.ts';

const SHIM = join(REPO, 'runtime-shim/build/tsrun');

let tsd: Tsd;
let api: EngineClient;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsd-e2e-'));
  await makeBusyboxImage(join(work, 'busybox.tar'));
  tsd = await startTsd();
  api = engineClient(tsd.host);
  await api.images.importImages({ path: join(work, 'busybox.tar'), format: 'docker' });
}, 120_000);

afterAll(async () => {
  api?.close();
  await tsd?.destroy();
  rmSync(work, { recursive: true, force: true });
});

const text = (records: { data: Buffer }[]): string => records.map((r) => r.data.toString()).join('');

function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(root));
}

describe('tsd containers', () => {
  it('runs a container with an env var, a bind mount and a memory limit, logs and execs into it, then leaves nothing behind', async () => {
    const bind = join(work, 'bind');
    execFileSync('mkdir', ['-p', bind]);
    writeFileSync(join(bind, 'hello.txt'), 'from the host\n');
    const linksBefore = linkNames(tsd.netns);
    const id = await api.create({
      name: 'first',
      config: { image: 'busybox', cmd: ['sh', '-c', 'echo "greeting=$GREETING"; cat /data/hello.txt; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; echo oops >&2; exec sleep 300'], env: ['GREETING=hi'] },
      hostConfig: { binds: [`${bind}:/data:ro`], memory: String(64 * 1024 * 1024) },
    });
    await api.start(id);
    const info = await api.inspect('first');
    expect(info.state?.running).toBe(true);
    expect(info.state?.pid).toBeGreaterThan(0);
    expect(info.networks[0]?.ipAddress).toMatch(/^10\.\d+\.0\.\d+$/);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('oops'); i += 1) {
      logs = text(await api.logs(id));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs).toContain('greeting=hi\n');
    expect(logs).toContain('from the host\n');
    expect(logs).toContain(`${64 * 1024 * 1024}\n`);
    const stderr = (await api.logs(id)).filter((r) => r.stream === 'stderr');
    expect(text(stderr)).toBe('oops\n');

    const [code, out] = await api.exec(id, ['sh', '-c', 'echo "in $HOSTNAME"; cat /data/hello.txt; exit 4']);
    expect(code).toBe(4);
    expect(out).toBe(`in ${id.slice(0, 12)}\nfrom the host\n`);
    const [catCode, echoed] = await api.exec(id, ['cat'], 'piped stdin\n');
    expect([catCode, echoed]).toEqual([0, 'piped stdin\n']);
    // a read-only bind stays read-only
    const [wr] = await api.exec(id, ['sh', '-c', 'echo x > /data/new']);
    expect(wr).not.toBe(0);

    await call((cb) => api.containers.stop({ id, timeout: 1 }, cb));
    expect((await api.inspect(id)).state?.running).toBe(false);
    await api.remove(id);
    await expect(api.inspect(id)).rejects.toThrow(/no such container/);
    expect(mountsUnder(tsd.dataRoot)).toEqual([]);
    expect(existsSync(join(tsd.execRoot, 'runtime', id))).toBe(false);
    expect(existsSync(join(tsd.dataRoot, 'containers', id))).toBe(false);
    expect(linkNames(tsd.netns)).toEqual(linksBefore);
    expect(existsSync(`/sys/fs/cgroup/memory/tsd/${id}`)).toBe(false);
  });

  it('publishes a port: the container serves HTTP on the host side and from outside', async () => {
    const id = await api.create({
      name: 'web',
      config: { image: 'busybox', cmd: ['sh', '-c', 'mkdir /www && echo "hello from tsd" > /www/index.html && exec httpd -f -p 80 -h /www'] },
      hostConfig: { portBindings: ['8080:80'] },
    });
    await api.start(id);
    expect((await api.inspect(id)).ports).toEqual([{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    const outside = addNetns('outside');
    try {
      wireOutside(tsd.netns, outside, '192.0.2');
      let got = runIn(tsd.netns, ['busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/'], undefined, 2000);
      for (let i = 0; i < 30 && got.status !== 0; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        got = runIn(tsd.netns, ['busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/'], undefined, 2000);
      }
      expect(got.out).toBe('hello from tsd\n');
      expect(runIn(outside, ['busybox', 'wget', '-q', '-O', '-', 'http://192.0.2.1:8080/'], undefined, 3000).out).toBe('hello from tsd\n');
    } finally {
      delNetns(outside);
    }
    await api.remove(id, true);
    expect(runIn(tsd.netns, ['busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/'], undefined, 2000).status).not.toBe(0);
  });

  it('execs with a TTY and resizes it', async () => {
    const id = await api.create({ config: { image: 'busybox', cmd: ['sleep', '300'] }, hostConfig: { networkMode: 'none' } });
    await api.start(id);
    const out = await new Promise<string>((resolve, reject) => {
      const s = api.containers.exec();
      let text = '';
      s.on('data', (m: { stdout?: Buffer }) => { if (m.stdout) text += m.stdout.toString(); });
      s.on('end', () => resolve(text));
      s.on('error', reject);
      s.write({ config: { containerId: id, cmd: ['sh', '-c', 'read x; stty size; tty'], tty: true, attachStdin: true } });
      s.write({ resize: { rows: 33, cols: 101 } });
      setTimeout(() => s.write({ stdin: Buffer.from('go\n') }), 200);
    });
    expect(out).toContain('33 101');
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    await api.remove(id, true);
  });

  it('reports the exit code through wait and inspect, and keeps logs after exit', async () => {
    const id = await api.create({ config: { image: 'busybox', cmd: ['sh', '-c', 'echo bye; exit 3'] } });
    await api.start(id);
    expect(await api.wait(id)).toBe(3);
    const info = await api.inspect(id);
    expect(info.state?.status).toBe('exited');
    expect(info.state?.exitCode).toBe(3);
    expect(text(await api.logs(id))).toBe('bye\n');
    await api.remove(id);
  });

  it('removes an auto-remove container after it exits', async () => {
    const id = await api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { autoRemove: true } });
    await api.start(id);
    await call((cb) => api.containers.wait({ id, condition: 'removed' }, cb));
    await expect(api.inspect(id)).rejects.toThrow(/no such container/);
  });

  it('restarts on failure up to the retry count', async () => {
    const id = await api.create({ config: { image: 'busybox', cmd: ['sh', '-c', 'echo run; exit 1'] }, hostConfig: { restartPolicy: { name: 'on-failure', maximumRetryCount: 2 } } });
    await api.start(id);
    let info = await api.inspect(id);
    for (let i = 0; i < 100 && !(info.restartCount === 2 && info.state?.status === 'exited'); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      info = await api.inspect(id);
    }
    expect(info.restartCount).toBe(2);
    expect(info.state?.status).toBe('exited');
    expect(text(await api.logs(id))).toBe('run\nrun\nrun\n');
    await api.remove(id);
  });

  it('refuses bad input with clear errors and creates nothing', async () => {
    const before = await entriesAfterDeletes(join(tsd.dataRoot, 'containers'));
    await expect(api.create({ config: { image: 'nope:latest', cmd: ['true'] } })).rejects.toThrow(/nope/);
    await expect(api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { binds: ['relative:dir'] } })).rejects.toThrow(/-v "relative:dir": the destination/);
    await expect(api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { capAdd: ['NOT_A_CAP'] } })).rejects.toThrow(/--cap-add: unknown capability/);
    const id = await api.create({ name: 'taken', config: { image: 'busybox', cmd: ['true'] } });
    await expect(api.create({ name: 'taken', config: { image: 'busybox', cmd: ['true'] } })).rejects.toThrow(/"\/taken" is already in use/);
    const badPort = await api.create({ config: { image: 'busybox', cmd: ['sleep', '5'] }, hostConfig: { portBindings: ['80:abc'] } });
    await expect(api.start(badPort)).rejects.toThrow(/abc/);
    await api.remove(badPort, true);
    await api.remove(id);
    expect(await entriesAfterDeletes(join(tsd.dataRoot, 'containers'))).toEqual(before);
    expect(mountsUnder(tsd.dataRoot)).toEqual([]);
  });

  it('keeps containers running across a SIGKILL of tsd and finds the exits it missed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const cmd = i % 4 === 0 ? ['sh', '-c', `sleep 1; exit ${i + 1}`] : ['sleep', '300'];
      const id = await api.create({ name: `live-${i}`, config: { image: 'busybox', cmd } });
      await api.start(id);
      ids.push(id);
    }
    const pids = new Map<string, number>();
    for (const id of ids) pids.set(id, (await api.inspect(id)).state!.pid);
    api.close();
    await tsd.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    await tsd.restart();
    api = engineClient(tsd.host);
    const all = await api.list(true);
    expect(all.filter((c) => c.name.startsWith('live-'))).toHaveLength(20);
    for (const [i, id] of ids.entries()) {
      const info = await api.inspect(id);
      if (i % 4 === 0) {
        expect([info.state?.status, info.state?.exitCode]).toEqual(['exited', i + 1]);
      } else {
        expect(info.state?.status).toBe('running');
        expect(info.state?.pid).toBe(pids.get(id));
        expect(existsSync(`/proc/${pids.get(id)}`)).toBe(true);
      }
    }
    for (const id of ids) await api.remove(id, true);
    expect(mountsUnder(tsd.dataRoot)).toEqual([]);
    expect(readdirSync(join(tsd.execRoot, 'runtime'))).toEqual([]);
  }, 120_000);

  it('removes a runtime task that no container record owns (a crash between the two) when it starts again', async () => {
    const bundle = join(work, 'orphan');
    execFileSync('mkdir', ['-p', join(bundle, 'rootfs')]);
    execFileSync('cp', ['-a', `${join(REPO, '.demo/busybox/rootfs')}/.`, join(bundle, 'rootfs')]);
    execFileSync(SHIM, ['spec', '--bundle', bundle]);
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    Object.assign(config.process, { terminal: false, args: ['sleep', '300'] });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    execFileSync(SHIM, ['--root', join(tsd.execRoot, 'runtime'), 'run', '--detach', '--bundle', bundle, 'orphan'], { stdio: 'ignore' });
    expect(readdirSync(join(tsd.execRoot, 'runtime'))).toEqual(['orphan']);
    api.close();
    await tsd.kill('SIGKILL');
    await tsd.restart();
    api = engineClient(tsd.host);
    expect(readdirSync(join(tsd.execRoot, 'runtime'))).toEqual([]);
  });

  it('runs 100 auto-remove containers at once and leaks nothing', async () => {
    const one = async (i: number): Promise<number> => {
      const id = await api.create({ config: { image: 'busybox', cmd: ['sh', '-c', `exit ${i % 3}`] }, hostConfig: { autoRemove: true, networkMode: 'none' } });
      const waited = call<{ statusCode: number }>((cb) => api.containers.wait({ id, condition: 'removed' }, cb));
      await api.start(id);
      await waited;
      return i;
    };
    const done = await Promise.all(Array.from({ length: 100 }, (_, i) => one(i)));
    expect(done).toHaveLength(100);
    expect(await api.list(true)).toEqual([]);
    expect(await entriesAfterDeletes(join(tsd.dataRoot, 'containers'))).toEqual([]);
    expect(await drained(join(tsd.dataRoot, 'images', 'trash'))).toEqual([]);
    expect(readdirSync(join(tsd.execRoot, 'runtime'))).toEqual([]);
    expect(mountsUnder(tsd.dataRoot)).toEqual([]);
  }, 180_000);
});
