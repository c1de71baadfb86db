// Faults between the client and a real docker-registry, made by a proxy: a
// connection dropped mid-layer, a corrupted blob, 429 and 503 answers, and a
// pulling process killed midway.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { faultOnce, type RegistryProxy, startRegistryProxy } from '../lib/registry-proxy.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, randomLayer, TAR_LAYER, type TestImage } from '../lib/test-image.ts';

let registry: TestRegistry;
let proxy: RegistryProxy;
let tmp: string;
let image: TestImage;
let ref: string;
let n = 0;
const fast = { retry: { baseDelayMs: 20, maxDelayMs: 100 } };

async function emptyStore(): Promise<LocalContentStore> {
  n += 1;
  return LocalContentStore.open(join(tmp, `store-${n}`));
}

/** Every committed blob hashes to its name; nothing else is there. */
async function assertConsistent(store: LocalContentStore): Promise<string[]> {
  const digests: string[] = [];
  for await (const b of store.list()) {
    const h = createHash('sha256');
    for await (const c of await store.read(b.digest)) h.update(c as Buffer);
    expect(`sha256:${h.digest('hex')}`).toBe(b.digest);
    digests.push(b.digest);
  }
  return digests;
}

const big = () => image.layers[1]!;
const isBigBlob = (method: string, url: string) => method === 'GET' && url.endsWith(`/blobs/${big().digest}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-regfault-'));
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
  const source = await emptyStore();
  image = await makeTestImage(source, [
    { data: await busyboxLayer(), mediaType: GZIP_LAYER },
    { data: await randomLayer(4 * 1024 * 1024), mediaType: TAR_LAYER },
  ]);
  ref = `${proxy.host}/fault/img:1`;
  await new LocalRegistryClient({ store: source }).push(`${registry.host}/fault/img:1`, { manifest: image.manifest });
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  proxy.setRule(undefined);
  proxy.log.length = 0;
});

describe('faults', () => {
  it('resumes a layer whose connection dropped mid-way with a Range request', async () => {
    const cut = 1_500_000;
    proxy.setRule(faultOnce(isBigBlob, { kind: 'drop', afterBytes: cut }));
    const store = await emptyStore();
    await new LocalRegistryClient({ store, ...fast }).pull(ref);
    const gets = proxy.log.filter((l) => isBigBlob(l.method, l.url));
    expect(gets.length).toBe(2);
    expect(gets[0]!.range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(cut);
    expect(gets[1]!.status).toBe(206);
    expect((await assertConsistent(store)).sort()).toEqual([...image.blobs.keys()].sort());
  });

  it('starts the layer over when the registry answers a Range request with the whole blob', async () => {
    let n = 0;
    proxy.setRule((m, u) => {
      if (!isBigBlob(m, u)) return undefined;
      n += 1;
      return n === 1 ? { kind: 'drop', afterBytes: 1_000_000 } : { kind: 'no-range' };
    });
    const store = await emptyStore();
    await new LocalRegistryClient({ store, ...fast }).pull(ref);
    const gets = proxy.log.filter((l) => isBigBlob(l.method, l.url));
    expect(gets.map((g) => [g.range !== undefined, g.status])).toEqual([[false, 200], [true, 200]]);
    expect((await assertConsistent(store)).sort()).toEqual([...image.blobs.keys()].sort());
    expect(await store.listIngests()).toEqual([]);
  });

  it('rejects a blob whose bytes do not match its digest, and stores nothing of it', async () => {
    proxy.setRule((method, url) => (isBigBlob(method, url) ? { kind: 'corrupt' } : undefined));
    const store = await emptyStore();
    const err = await new LocalRegistryClient({ store, ...fast }).pull(ref).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'failed_precondition',
      message: expect.stringMatching(new RegExp(`^pull ${ref}: layer ${big().digest.slice(0, 19)}: digest mismatch \\(got sha256:[a-f0-9]{64}\\)$`)),
    });
    expect(await store.info(big().digest)).toBeUndefined();
    expect(await store.listIngests()).toEqual([]);
    await assertConsistent(store);
  });

  it('waits as 429 Retry-After says, and retries a 503', async () => {
    proxy.setRule(faultOnce((m, u) => m === 'HEAD' && u.includes('/manifests/'), { kind: 'status', status: 429, headers: { 'retry-after': '1' } }));
    const store = await emptyStore();
    const client = new LocalRegistryClient({ store, ...fast });
    const t0 = Date.now();
    await client.resolve(ref);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(proxy.log.filter((l) => l.method === 'HEAD').map((l) => l.status)).toEqual([429, 200]);

    proxy.log.length = 0;
    proxy.setRule(faultOnce(isBigBlob, { kind: 'status', status: 503 }, 2));
    await client.pull(ref);
    expect(proxy.log.filter((l) => isBigBlob(l.method, l.url)).map((l) => l.status)).toEqual([503, 503, 200]);
  });

  it('gives up after bounded retries, naming the blob', async () => {
    proxy.setRule((m, u) => (isBigBlob(m, u) ? { kind: 'status', status: 503 } : undefined));
    const store = await emptyStore();
    await expect(new LocalRegistryClient({ store, ...fast }).pull(ref)).rejects.toMatchObject({
      code: 'unavailable', message: expect.stringContaining(`pull ${ref}: layer ${big().digest.slice(0, 19)}: registry answered 503`),
    });
    expect(proxy.log.filter((l) => isBigBlob(l.method, l.url)).length).toBe(4);
  });

  it('keeps the store consistent when a pulling process is killed, and the next pull completes', async () => {
    proxy.setRule((m, u) => (isBigBlob(m, u) ? { kind: 'slow', bytesPerTick: 64 * 1024, tickMs: 20 } : undefined));
    const dir = join(tmp, 'killed');
    // one process (not npx, not the tsx CLI, which fork): the SIGKILL must hit the puller itself
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../lib/pull-child.ts'), dir, ref], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = new RegExp(`${big().digest} (\\d+)\\n`).exec(out.split('\n').slice(-3).join('\n') + '\n');
        if (m && Number(m[1]) > 1_000_000) resolve();
      });
      child.once('exit', () => reject(new Error(`the pull ended before it was killed: ${out.slice(-300)}`)));
    });
    child.kill('SIGKILL');
    await exited;
    proxy.setRule(undefined);
    proxy.log.length = 0;

    const store = await LocalContentStore.open(dir);
    const before = await assertConsistent(store);
    expect(before).not.toContain(big().digest);
    const partial = await store.listIngests();
    expect(partial.map((p) => p.digest)).toContain(big().digest);

    await new LocalRegistryClient({ store }).pull(ref);
    expect((await assertConsistent(store)).sort()).toEqual([...image.blobs.keys()].sort());
    const resumed = proxy.log.filter((l) => isBigBlob(l.method, l.url));
    expect(resumed.length).toBe(1);
    expect(resumed[0]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(await store.listIngests()).toEqual([]);
  });
});
