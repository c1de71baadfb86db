import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Of } from './blob-io.js';
import { exportDockerArchive, importDockerArchive } from './docker-archive.js';
import { resolveImage } from './image-reader.js';
import { LocalContentStore } from './local-content-store.js';
import { MediaType } from './media-types.js';
import { MetadataStore } from './metadata-store.js';
import { makeTestImage } from './test-image.js';
import { makeTar } from './unpack/test-tar.js';

let work: string;
const open = async (name: string) => {
  const root = join(work, name);
  return { content: await LocalContentStore.open(root), metadata: await MetadataStore.open(root) };
};
const layers = [[{ name: 'etc/', type: 'directory' as const }, { name: 'etc/hello', body: 'hi\n' }], [{ name: 'etc/.wh.hello' }, { name: 'big', body: Buffer.alloc(1_500_000, 7) }]];

async function members(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = extract();
  Readable.from([readFileSync(file)]).pipe(ex);
  for await (const e of ex) out.set(e.header.name, await buffer(e));
  return out;
}

beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'image-store-docker-')); });
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('docker save archive', () => {
  it('exports manifest.json, repositories, the config and uncompressed layers, and loads them back', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'localhost/test/app:v1', layers);
    const second = await a.metadata.tag('localhost/test/app:v1', 'localhost/test/app:v2');
    const file = join(work, 'app.tar');
    await exportDockerArchive(a.content, [img.record, second], file);
    const m = await members(file);
    const [entry, ...more] = JSON.parse(m.get('manifest.json')!.toString());
    expect(more).toEqual([]);
    const diffIds = img.tars.map((t) => sha256Of(t));
    expect(entry).toEqual({
      Config: `${img.configDigest.slice(7)}.json`,
      RepoTags: ['localhost/test/app:v1', 'localhost/test/app:v2'],
      Layers: diffIds.map((d) => `${d.slice(7)}/layer.tar`),
    });
    expect(sha256Of(m.get(entry.Config)!)).toBe(img.configDigest);
    for (const [i, l] of entry.Layers.entries()) expect(m.get(l)!.equals(img.tars[i]!)).toBe(true);
    expect(JSON.parse(m.get('repositories')!.toString())).toEqual({ 'localhost/test/app': { v1: diffIds[1]!.slice(7), v2: diffIds[1]!.slice(7) } });

    const b = await open('b');
    const loaded = await importDockerArchive(b.content, b.metadata, file);
    expect(loaded.map((r) => r.name)).toEqual(['localhost/test/app:v1', 'localhost/test/app:v2']);
    const resolved = await resolveImage(b.content, loaded[0]!.target, 'test');
    expect(resolved.manifest.config.digest).toBe(img.configDigest);
    expect(resolved.manifest.layers.map((l) => [l.mediaType, l.digest])).toEqual(diffIds.map((d) => [MediaType.ociLayer, d]));
  });

  it('loads gzip layers and layer paths that are symlinks, as docker save writes for shared layers', async () => {
    const tar = await makeTar([{ name: 'f', body: 'x' }]);
    const gz = gzipSync(tar);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Of(tar), sha256Of(tar)] } }));
    const archive = await makeTar([
      { name: 'aaa/layer.tar', body: gz },
      { name: 'bbb/', type: 'directory' },
      { name: 'bbb/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' },
      { name: 'cfg.json', body: config },
      { name: 'manifest.json', body: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['busybox:latest'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]) },
    ]);
    const file = join(work, 'in.tar');
    writeFileSync(file, archive);
    const b = await open('b');
    const [rec] = await importDockerArchive(b.content, b.metadata, file, { normalizeName: (t) => `docker.io/library/${t}` });
    expect(rec!.name).toBe('docker.io/library/busybox:latest');
    const resolved = await resolveImage(b.content, rec!.target, 'test');
    expect(resolved.manifest.layers).toEqual([0, 1].map(() => ({ mediaType: MediaType.ociLayerGzip, digest: sha256Of(gz), size: gz.length })));
  });

  it('rejects a layer that does not match its diff ID, naming both, and names nothing', async () => {
    const tar = await makeTar([{ name: 'f', body: 'x' }]);
    const other = await makeTar([{ name: 'f', body: 'y' }]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Of(tar)] } }));
    const file = join(work, 'bad.tar');
    writeFileSync(file, await makeTar([
      { name: 'l/layer.tar', body: other },
      { name: 'c.json', body: config },
      { name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['a/b:c'], Layers: ['l/layer.tar'] }]) },
    ]));
    const b = await open('b');
    const err = await importDockerArchive(b.content, b.metadata, file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_argument' });
    expect((err as Error).message).toContain(`${sha256Of(tar)}: digest mismatch (got ${sha256Of(other)})`);
    expect((err as Error).message).toContain('l/layer.tar');
    expect(b.metadata.listImages()).toEqual([]);
    expect(await b.content.info(sha256Of(other))).toBeUndefined();
  });

  it('refuses a file that is not a docker archive, and an existing export target', async () => {
    const file = join(work, 'x.tar');
    writeFileSync(file, await makeTar([{ name: 'hello', body: 'x' }]));
    const b = await open('b');
    await expect(importDockerArchive(b.content, b.metadata, file)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('no manifest.json') });
    const img = await makeTestImage(b.content, b.metadata, 'x/y:1', layers);
    await expect(exportDockerArchive(b.content, [img.record], file)).rejects.toMatchObject({ code: 'already_exists' });
  });
});
