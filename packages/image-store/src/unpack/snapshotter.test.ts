import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../local-content-store.js';
import { MediaType } from '../media-types.js';
import { chainIds } from './chain-id.js';
import { compressionOfMagic } from './decompress.js';
import { Snapshotter, type LayerRef } from './snapshotter.js';
import { makeTar } from './test-tar.js';

const sha = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let root: string;
let content: LocalContentStore;
let snaps: Snapshotter;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'image-store-snap-'));
  content = await LocalContentStore.open(root);
  snaps = new Snapshotter(root, content);
  await snaps.init();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function putBlob(data: Buffer): Promise<string> {
  const digest = sha(data);
  const w = await content.ingest(digest, { digest, size: data.length });
  await w.write(data);
  await w.commit();
  return digest;
}

async function layer(files: Record<string, string>, compression: 'gzip' | 'zstd' | 'none', mediaType?: string): Promise<LayerRef> {
  const tar = await makeTar(Object.entries(files).map(([name, body]) => ({ name, type: 'file' as const, body })));
  const blob = compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: tar }) : tar;
  const type = mediaType ?? (compression === 'gzip' ? MediaType.ociLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer);
  return { mediaType: type, digest: await putBlob(blob), diffId: sha(tar) };
}

describe('chainIds', () => {
  it('follows the OCI definition', () => {
    const d0 = sha('a');
    const d1 = sha('b');
    const d2 = sha('c');
    const c1 = sha(`${d0} ${d1}`);
    expect(chainIds([d0, d1, d2])).toEqual([d0, c1, sha(`${c1} ${d2}`)]);
    expect(() => chainIds(['sha256:nope'])).toThrow(/diff_ids\/0/);
  });
});

describe('compressionOfMagic', () => {
  it('tells gzip, zstd and plain tar apart', () => {
    expect(compressionOfMagic(gzipSync('x'))).toBe('gzip');
    expect(compressionOfMagic(execFileSync('zstd', ['-q', '-c'], { input: 'x' }))).toBe('zstd');
    expect(compressionOfMagic(Buffer.from('ustar'))).toBe('none');
  });
});

describe('Snapshotter', () => {
  it('unpacks gzip, zstd and plain layers, one snapshot per chain ID', async () => {
    const layers = [
      await layer({ 'a.txt': 'gzip layer' }, 'gzip'),
      await layer({ 'b.txt': 'zstd layer' }, 'zstd'),
      await layer({ 'c.txt': 'plain layer' }, 'none'),
    ];
    const ids = await snaps.unpack(layers);
    expect(ids).toEqual(chainIds(layers.map((l) => l.diffId)));
    expect(readFileSync(join(snaps.fsPath(ids[0]!), 'a.txt'), 'utf8')).toBe('gzip layer');
    expect(readFileSync(join(snaps.fsPath(ids[1]!), 'b.txt'), 'utf8')).toBe('zstd layer');
    expect(readFileSync(join(snaps.fsPath(ids[2]!), 'c.txt'), 'utf8')).toBe('plain layer');
    expect(readdirSync(join(snaps.fsPath(ids[1]!)))).toEqual(['b.txt']);
    const info = await snaps.info(ids[2]!);
    expect(info).toMatchObject({ chainId: ids[2], parent: ids[1], diffId: layers[2]!.diffId, layerDigest: layers[2]!.digest });
    expect((await snaps.list()).map((s) => s.chainId).sort()).toEqual([...ids].sort());
  });

  it('detects compression by magic bytes when the media type says plain tar', async () => {
    const l = await layer({ 'z.txt': 'mislabelled' }, 'gzip', MediaType.ociLayer);
    const [id] = await snaps.unpack([l]);
    expect(readFileSync(join(snaps.fsPath(id!), 'z.txt'), 'utf8')).toBe('mislabelled');
  });

  it('shares a snapshot between images and unpacks it once, even concurrently', async () => {
    const base = await layer({ base: '1' }, 'gzip');
    const top1 = await layer({ one: '1' }, 'gzip');
    const top2 = await layer({ two: '2' }, 'gzip');
    const [a, b] = await Promise.all([snaps.unpack([base, top1]), snaps.unpack([base, top2])]);
    expect(a![0]).toBe(b![0]);
    expect((await snaps.list())).toHaveLength(3);
    expect(readdirSync(snaps.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses a layer whose tar does not match the config diff ID, leaving no snapshot', async () => {
    const good = await layer({ ok: '1' }, 'gzip');
    const bad = { ...(await layer({ evil: '1' }, 'gzip')), diffId: sha('something else') };
    const err = await snaps.unpack([good, bad]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_argument' });
    expect((err as Error).message).toBe(`unpack layer ${bad.digest}: diff ID mismatch: the image config says ${bad.diffId} (got ${sha(await makeTar([{ name: 'evil', type: 'file', body: '1' }]))})`);
    const ids = chainIds([good.diffId, bad.diffId]);
    expect(await snaps.info(ids[0]!)).toBeDefined();
    expect(await snaps.info(ids[1]!)).toBeUndefined();
    expect(readdirSync(snaps.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('does not commit a layer whose parent failed', async () => {
    const bad = { ...(await layer({ x: '1' }, 'gzip')), diffId: sha('wrong') };
    const top = await layer({ y: '1' }, 'gzip');
    await expect(snaps.unpack([bad, top])).rejects.toThrow(/diff ID mismatch/);
    expect(await snaps.list()).toEqual([]);
  });

  it('reports a corrupt gzip stream naming the layer', async () => {
    const l = await layer({ x: '1' }, 'gzip');
    const blob = Buffer.concat([gzipSync(await makeTar([{ name: 'x', type: 'file', body: '1' }])).subarray(0, 20)]);
    const broken = { ...l, digest: await putBlob(blob) };
    await expect(snaps.unpack([broken])).rejects.toThrow(new RegExp(`^unpack layer ${broken.digest}: `));
    expect(await snaps.list()).toEqual([]);
  });

  it('removes what an interrupted unpack left and removes snapshots whole', async () => {
    mkdirSync(join(snaps.dir, '.tmp-deadbeef-1234', 'fs'), { recursive: true });
    await snaps.init();
    expect(readdirSync(snaps.dir)).toEqual([]);
    const [id] = await snaps.unpack([await layer({ x: '1' }, 'none')]);
    await snaps.remove(id!);
    expect(readdirSync(snaps.dir)).toEqual([]);
    await expect(snaps.remove(id!)).rejects.toMatchObject({ code: 'not_found' });
    expect(existsSync(snaps.fsPath(id!))).toBe(false);
  });
});
