// Images through tsd: push a busybox image (made by tools/) to a real registry
// (Debian's docker-registry on loopback), pull it back with progress, run it,
// commit the container, save and load the result, and find nothing left behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcRegistryClient, type ProgressEvent } from '../../packages/registry-client/src/index.ts';
import { makeBusyboxImage } from '../../tools/make-busybox-image.ts';
import { engineClient, type EngineClient } from '../lib/engine.ts';
import { drained, entriesAfterDeletes } from '../lib/leftovers.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { startTsd, type Tsd } from '../lib/tsd.ts';

let tsd: Tsd;
let api: EngineClient;
let registry: TestRegistry;
let pulls: GrpcRegistryClient;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tsd-e2e-img-'));
  await makeBusyboxImage(join(work, 'busybox.tar'));
  registry = await startRegistry();
  tsd = await startTsd(['--insecure-registry', registry.host], { hostNetwork: true });
  api = engineClient(tsd.host);
  pulls = new GrpcRegistryClient(tsd.host);
  await api.images.importImages({ path: join(work, 'busybox.tar'), format: 'docker' });
}, 120_000);

afterAll(async () => {
  pulls?.close();
  api?.close();
  await tsd?.destroy();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const text = (records: { data: Buffer }[]): string => records.map((r) => r.data.toString()).join('');

async function runToEnd(image: string, cmd: string[]): Promise<string> {
  const id = await api.create({ config: { image, cmd }, hostConfig: { networkMode: 'none' } });
  await api.start(id);
  expect(await api.wait(id)).toBe(0);
  const out = text(await api.logs(id));
  await api.remove(id);
  return out;
}

describe('tsd images', () => {
  it('pushes to a registry, pulls back with progress that never goes down, and runs the pulled image', async () => {
    const ref = `${registry.host}/e2e/busybox:1`;
    const source = await api.images.get('busybox');
    await api.images.tag('busybox', ref);
    const pushed = await pulls.push(ref, { manifest: source.record.target });
    expect(pushed.digest).toBe(source.record.target.digest);
    await api.images.remove(ref);
    await api.images.remove('busybox');
    expect(await api.images.list()).toEqual([]);

    const events: ProgressEvent[] = [];
    const pulled = await pulls.pull(ref, { onProgress: (e) => events.push(e) });
    expect(pulled.manifest.digest).toBe(source.record.target.digest);
    expect(events.length).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.total.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.total.bytesDone);
    expect(events.some((e) => e.blob.phase === 'complete')).toBe(true);
    expect((await api.images.list()).map((i) => i.name)).toEqual([ref]);

    expect(await runToEnd(ref, ['sh', '-c', 'echo pulled and running'])).toBe('pulled and running\n');
    // a second pull of an unchanged image fetches no blob
    const again = await pulls.pull(ref);
    expect(again.bytesFetched).toBe(0);
  });

  it('commits a container, saves the image, loads it back and runs it', async () => {
    const base = (await api.images.list())[0]!.name;
    const id = await api.create({ config: { image: base, cmd: ['sh', '-c', 'echo committed > /marker'] }, hostConfig: { networkMode: 'none' } });
    await api.start(id);
    expect(await api.wait(id)).toBe(0);
    const { call } = await import('../../packages/proto/src/index.ts');
    await expect(call((cb) => api.containers.commit({ id, reference: 'E2E/Upper:v1' }, cb))).rejects.toThrow(/repository name must be lowercase/);
    await call((cb) => api.containers.commit({ id, reference: 'e2e/committed:v1', changes: ['CMD ["cat", "/marker"]'] }, cb));
    await api.remove(id);
    expect(await runToEnd('e2e/committed:v1', [])).toBe('committed\n');

    const saved = join(work, 'saved.tar');
    await api.images.exportImages({ names: ['e2e/committed:v1'], path: saved, format: 'docker' });
    expect(existsSync(saved)).toBe(true);
    await api.images.remove('e2e/committed:v1');
    await expect(api.images.get('e2e/committed:v1')).rejects.toThrow(/not found/);
    const loaded = await api.images.importImages({ path: saved, format: 'docker' });
    expect(loaded.map((i) => i.name)).toContain('docker.io/e2e/committed:v1');
    expect(await runToEnd('e2e/committed:v1', [])).toBe('committed\n');
  });

  it('removes everything and leaves no container, mount or snapshot in use behind', async () => {
    for (const c of await api.list(true)) await api.remove(c.id, true);
    for (const i of await api.images.list()) await api.images.remove(i.name, { force: true });
    const report = await api.images.prune({ minAgeMs: 0 });
    expect(report.failures).toEqual([]);
    expect(await entriesAfterDeletes(join(tsd.dataRoot, 'containers'))).toEqual([]);
    expect(await drained(join(tsd.dataRoot, 'images', 'trash'))).toEqual([]);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tsd.dataRoot));
    expect(mounts).toEqual([]);
  });
});
