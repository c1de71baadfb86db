import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { putBytes, sha256Of } from './blob-io.js';
import { resolveImage } from './image-reader.js';
import { MediaType } from './media-types.js';
import { LocalContentStore } from './local-content-store.js';
import { MetadataStore } from './metadata-store.js';
import { exportOciLayout, IMAGE_NAME, importOciLayout, REF_NAME } from './oci-layout.js';
import { makeTestImage } from './test-image.js';

let work: string;
const open = async (name: string) => {
  const root = join(work, name);
  return { content: await LocalContentStore.open(root), metadata: await MetadataStore.open(root) };
};
const layers = [[{ name: 'etc/', type: 'directory' as const }, { name: 'etc/hello', body: 'hi\n' }], [{ name: 'etc/.wh.hello' }]];
const blobNames = (store: LocalContentStore) => readdirSync(store.blobsDir).sort();

beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'image-store-oci-')); });
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('OCI image layout', () => {
  it('exports an image with its ref name and imports it into another store, blob for blob', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'localhost/test/app:v1', layers);
    const dir = join(work, 'layout');
    await exportOciLayout(a.content, [img.record], dir);
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].digest).toBe(img.record.target.digest);
    expect(index.manifests[0].annotations).toEqual({ [REF_NAME]: 'v1', [IMAGE_NAME]: 'localhost/test/app:v1' });
    const files = readdirSync(join(dir, 'blobs/sha256')).sort();
    expect(files).toEqual(blobNames(a.content));
    for (const f of files) expect(sha256Of(readFileSync(join(dir, 'blobs/sha256', f)))).toBe(`sha256:${f}`);

    const b = await open('b');
    const imported = await importOciLayout(b.content, b.metadata, dir);
    expect(imported.map((r) => [r.name, r.target.digest])).toEqual([['localhost/test/app:v1', img.record.target.digest]]);
    expect(blobNames(b.content)).toEqual(files);
    expect(b.metadata.getImage('localhost/test/app:v1').target.annotations).toBeUndefined();
  });

  it('carries an index whose other platforms the store does not hold', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'x/y:single', layers);
    const absent = { mediaType: MediaType.ociManifest, digest: sha256Of('arm64 manifest we never pulled'), size: 30, platform: { os: 'linux', architecture: 'arm64' } };
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [
      { ...img.record.target, platform: { os: 'linux', architecture: 'amd64' } }, absent,
    ] }));
    const idx = await putBytes(a.content, index, 'test index');
    const rec = await a.metadata.putImage('x/y:multi', { mediaType: MediaType.ociIndex, ...idx });
    const dir = join(work, 'layout');
    await exportOciLayout(a.content, [rec], dir);
    expect(existsSync(join(dir, 'blobs/sha256', absent.digest.slice(7)))).toBe(false);
    const b = await open('b');
    const [got] = await importOciLayout(b.content, b.metadata, dir);
    expect(got!.target).toEqual({ mediaType: MediaType.ociIndex, ...idx });
    const resolved = await resolveImage(b.content, got!.target, 'test');
    expect(resolved.manifestDigest).toBe(img.record.target.digest);
  });

  it('names bare-tag entries (as umoci writes them) only with a repository, and picks one by ref name', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'x/y:latest', layers);
    const dir = join(work, 'layout');
    await exportOciLayout(a.content, [img.record], dir);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    delete index.manifests[0].annotations[IMAGE_NAME];
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const b = await open('b');
    await expect(importOciLayout(b.content, b.metadata, dir)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('bare tag') });
    await expect(importOciLayout(b.content, b.metadata, dir, { refName: 'nope', repository: 'r' })).rejects.toMatchObject({ code: 'not_found' });
    expect(b.metadata.listImages()).toEqual([]);
    const [rec] = await importOciLayout(b.content, b.metadata, dir, { refName: 'latest', repository: 'localhost/umoci/img' });
    expect(rec!.name).toBe('localhost/umoci/img:latest');
  });

  it('rejects a layout whose layer does not match its digest, storing no image and no bad blob', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'x/y:1', layers);
    const dir = join(work, 'layout');
    await exportOciLayout(a.content, [img.record], dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', img.record.target.digest.slice(7)), 'utf8'));
    const layerPath = join(dir, 'blobs/sha256', manifest.layers[0].digest.slice(7));
    const bytes = readFileSync(layerPath);
    bytes[bytes.length - 1] ^= 1;
    chmodSync(layerPath, 0o644);
    writeFileSync(layerPath, bytes);
    const b = await open('b');
    await expect(importOciLayout(b.content, b.metadata, dir)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/digest mismatch \(got sha256:/) });
    expect(b.metadata.listImages()).toEqual([]);
    expect(await b.content.info(manifest.layers[0].digest)).toBeUndefined();
    expect(await b.content.info(img.record.target.digest)).toBeUndefined();
  });

  it('rejects an invalid manifest, naming the field', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'x/y:1', layers);
    const dir = join(work, 'layout');
    await exportOciLayout(a.content, [img.record], dir);
    const bad = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] }));
    const digest = sha256Of(bad);
    writeFileSync(join(dir, 'blobs/sha256', digest.slice(7)), bad);
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: bad.length, annotations: { [REF_NAME]: 'a/b:c' } }] }));
    const b = await open('b');
    await expect(importOciLayout(b.content, b.metadata, dir)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('/config') });
  });

  it('refuses to export into a non-empty directory and leaves it as it was', async () => {
    const a = await open('a');
    const img = await makeTestImage(a.content, a.metadata, 'x/y:1', layers);
    const dir = join(work, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep'), 'x');
    await expect(exportOciLayout(a.content, [img.record], dir)).rejects.toMatchObject({ code: 'already_exists' });
    expect(readdirSync(dir)).toEqual(['keep']);
    expect(readdirSync(work).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(join(work, 'layout'))).toBe(false);
  });
});
