// Push and pull against Debian's docker-registry, through a logging proxy so
// that the requests themselves are checked; interoperability with skopeo and umoci.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient } from '../../packages/registry-client/src/index.ts';
import type { ProgressEvent } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { type RegistryProxy, startRegistryProxy } from '../lib/registry-proxy.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, randomLayer, TAR_LAYER, type TestImage } from '../lib/test-image.ts';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let registry: TestRegistry;
let proxy: RegistryProxy;
let tmp: string;
let source: LocalContentStore;
let image: TestImage;
const dirs: string[] = [];

async function emptyStore(): Promise<LocalContentStore> {
  const d = mkdtempSync(join(tmp, 'store-'));
  dirs.push(d);
  return LocalContentStore.open(d);
}

async function storeBytes(store: LocalContentStore, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.read(digest)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-reg-'));
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
  source = await emptyStore();
  image = await makeTestImage(source, [
    { data: await busyboxLayer(), mediaType: GZIP_LAYER },
    { data: await randomLayer(3 * 1024 * 1024), mediaType: TAR_LAYER },
  ]);
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('against docker-registry', () => {
  it('pushes (chunked above the threshold), then skips every blob the registry has', async () => {
    const client = new LocalRegistryClient({ store: source, monolithicMax: 1024 * 1024, chunkSize: 1024 * 1024 });
    const r = await client.push(`${proxy.host}/test/busybox:1`, { manifest: image.manifest });
    expect(r.digest).toBe(image.manifest.digest);
    expect(r.blobsUploaded).toBe(3);
    const MiB = 1024 * 1024;
    const chunked = [image.config, ...image.layers].filter((d) => d.size > MiB);
    expect(chunked.length).toBeGreaterThan(0);
    const patches = proxy.log.filter((l) => l.method === 'PATCH');
    expect(patches.length).toBe(chunked.reduce((n, d) => n + Math.ceil(d.size / MiB), 0));
    proxy.log.length = 0;
    const again = await client.push(`${proxy.host}/test/busybox:2`, { manifest: image.manifest });
    expect(again).toMatchObject({ blobsUploaded: 0, blobsSkipped: 3 });
    expect(proxy.log.filter((l) => l.method === 'POST' || l.method === 'PATCH')).toEqual([]);
  });

  it('mounts blobs across repositories', async () => {
    const client = new LocalRegistryClient({ store: source });
    proxy.log.length = 0;
    const r = await client.push(`${proxy.host}/other/copy:1`, { manifest: image.manifest, mountFrom: ['test/busybox'] });
    expect(r).toMatchObject({ blobsMounted: 3, blobsUploaded: 0 });
    expect(proxy.log.filter((l) => l.method === 'POST').every((l) => l.url.includes('mount=') && l.status === 201)).toBe(true);
  });

  it('pulls into an empty store byte for byte, with progress that never goes down', async () => {
    const store = await emptyStore();
    const client = new LocalRegistryClient({ store });
    const events: ProgressEvent[] = [];
    const r = await client.pull(`${proxy.host}/test/busybox:1`, { onProgress: (e) => events.push(e) });
    expect(r.manifest.digest).toBe(image.manifest.digest);
    expect(r.digest).toBe(image.manifest.digest);
    expect(r.layers.map((l) => l.digest)).toEqual(image.layers.map((l) => l.digest));
    expect(r.imageConfig).toMatchObject({ os: 'linux', architecture: 'amd64' });
    for (const [digest, bytes] of image.blobs) expect(sha(await storeBytes(store, digest))).toBe(sha(bytes));
    const totals = events.map((e) => e.total.bytesDone);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(events.at(-1)!.total).toMatchObject({ blobsDone: 3, blobsTotal: 3 });
    expect(events.at(-1)!.total.bytesDone).toBe(events.at(-1)!.total.bytesTotal);
  });

  it('re-pulls an unchanged image with one manifest request; pulls by digest with none', async () => {
    const store = await emptyStore();
    const client = new LocalRegistryClient({ store });
    await client.pull(`${proxy.host}/test/busybox:1`);
    proxy.log.length = 0;
    await client.pull(`${proxy.host}/test/busybox:1`);
    expect(proxy.log.map((l) => `${l.method} ${l.url}`)).toEqual([`HEAD /v2/test/busybox/manifests/1`]);
    proxy.log.length = 0;
    await client.pull(`${proxy.host}/test/busybox@${image.manifest.digest}`);
    expect(proxy.log).toEqual([]);
  });

  it('never fetches a blob the store has, and shares one download between two pulls', async () => {
    const store = await emptyStore();
    const big = image.layers[1]!;
    const ingest = await store.ingest('pre', { digest: image.layers[0]!.digest, size: image.layers[0]!.size });
    await ingest.write(image.blobs.get(image.layers[0]!.digest)!);
    await ingest.commit();
    const client = new LocalRegistryClient({ store });
    proxy.log.length = 0;
    await Promise.all([client.pull(`${proxy.host}/test/busybox:1`), client.pull(`${proxy.host}/test/busybox:2`)]);
    const blobGets = proxy.log.filter((l) => l.method === 'GET' && l.url.includes('/blobs/'));
    expect(blobGets.filter((l) => l.url.endsWith(image.layers[0]!.digest))).toEqual([]);
    expect(blobGets.filter((l) => l.url.endsWith(big.digest)).length).toBe(1);
    expect(blobGets.filter((l) => l.url.endsWith(image.config.digest)).length).toBe(1);
  });

  it('resolves a tag to its digest, and names a missing tag', async () => {
    const client = new LocalRegistryClient({ store: source });
    expect(await client.resolve(`${registry.host}/test/busybox:1`)).toMatchObject({ digest: image.manifest.digest, mediaType: image.manifest.mediaType });
    await expect(client.pull(`${registry.host}/test/busybox:nope`)).rejects.toMatchObject({
      code: 'not_found', message: expect.stringContaining(`pull ${registry.host}/test/busybox:nope: manifest unknown`),
    });
  });

  it('gives skopeo the pushed image bit for bit', () => {
    const out = join(tmp, 'skopeo-oci');
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', `docker://${registry.host}/test/busybox:1`, `oci:${out}:x`], { stdio: 'pipe' });
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(image.manifest.digest);
    for (const [digest, bytes] of image.blobs) {
      expect(readFileSync(join(out, 'blobs/sha256', digest.slice(7))).equals(bytes)).toBe(true);
    }
    expect(readdirSync(join(out, 'blobs/sha256')).length).toBe(image.blobs.size);
  });

  it('pulls an image made by umoci and pushed by skopeo', async () => {
    // umoci 0.4.7's `insert` writes a truncated tar; unpack + repack writes a whole one
    const layout = join(tmp, 'umoci');
    const bundle = join(tmp, 'umoci-bundle');
    execFileSync('umoci', ['init', '--layout', layout]);
    execFileSync('umoci', ['new', '--image', `${layout}:t`]);
    execFileSync('umoci', ['unpack', '--image', `${layout}:t`, bundle], { stdio: 'pipe' });
    execFileSync('sh', ['-c', `mkdir -p ${bundle}/rootfs/etc && echo made-by-umoci > ${bundle}/rootfs/etc/hello`]);
    execFileSync('umoci', ['repack', '--image', `${layout}:t`, bundle], { stdio: 'pipe' });
    execFileSync('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:t`, `docker://${registry.host}/umoci/made:t`], { stdio: 'pipe' });
    const store = await emptyStore();
    const r = await new LocalRegistryClient({ store }).pull(`${registry.host}/umoci/made:t`);
    expect(r.layers.length).toBe(1);
    const layer = await storeBytes(store, r.layers[0]!.digest);
    expect(sha(layer)).toBe(r.layers[0]!.digest);
    const names: string[] = [];
    const ex = extract();
    ex.on('entry', (h, stream, next) => { names.push(h.name); stream.resume(); stream.on('end', next); });
    await new Promise<void>((resolve, reject) => { ex.on('finish', () => resolve()); ex.on('error', reject); ex.end(gunzipSync(layer)); });
    expect(names).toContain('etc/hello');
  });
});
