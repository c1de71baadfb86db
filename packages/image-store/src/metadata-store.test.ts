import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore, type Descriptor } from './metadata-store.js';

const manifest = (c: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}`,
  size: 123,
});

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'image-store-md-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('MetadataStore', () => {
  it('puts, gets, lists, tags and persists images across reopen', async () => {
    const md = await MetadataStore.open(root);
    await md.putImage('docker.io/library/busybox:latest', manifest('a'));
    await md.tag('docker.io/library/busybox:latest', 'localhost:5000/bb:1');
    expect(md.listImages().map((i) => i.name)).toEqual(['docker.io/library/busybox:latest', 'localhost:5000/bb:1']);
    const again = await MetadataStore.open(root);
    expect(again.getImage('localhost:5000/bb:1').target).toEqual(manifest('a'));
    expect(readdirSync(root)).toEqual(['metadata.json']);
  });

  it('moves a name to a new target and keeps its created time', async () => {
    const md = await MetadataStore.open(root);
    const first = await md.putImage('x:1', manifest('a'));
    await new Promise((r) => setTimeout(r, 5));
    const second = await md.putImage('x:1', manifest('b'));
    expect(second.created).toBe(first.created);
    expect(second.updated > first.updated).toBe(true);
    expect(md.getImage('x:1').target.digest).toBe(manifest('b').digest);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const md = await MetadataStore.open(root);
    await expect(md.putImage('has space', manifest('a'))).rejects.toThrow(/image name "has space"/);
    await expect(md.putImage('x', { ...manifest('a'), digest: 'sha256:zz' })).rejects.toThrow(/image x: target: digest "sha256:zz"/);
    await expect(md.putImage('x', { ...manifest('a'), mediaType: 'application/json' })).rejects.toThrow(/neither a manifest nor an index/);
    await expect(md.tag('missing', 'y')).rejects.toMatchObject({ code: 'not_found' });
    expect(md.listImages()).toEqual([]);
  });

  it('refuses to remove the last name of an image a container uses unless forced', async () => {
    const md = await MetadataStore.open(root);
    await md.putImage('a:1', manifest('a'));
    await md.tag('a:1', 'a:2');
    await md.putContainer({ id: 'c1', image: 'a:1', imageDigest: manifest('a').digest, chainIds: [] });
    await md.removeImage('a:1');
    await expect(md.removeImage('a:2')).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(md.getImage('a:2')).toBeDefined();
    await md.removeImage('a:2', { force: true });
    expect(md.listImages()).toEqual([]);
  });

  it('asks the isInUse callback with the image digest', async () => {
    const md = await MetadataStore.open(root);
    await md.putImage('a:1', manifest('c'));
    const asked: string[] = [];
    await expect(md.removeImage('a:1', { isInUse: (d) => { asked.push(d); return true; } })).rejects.toThrow(/used by a container/);
    expect(asked).toEqual([manifest('c').digest]);
    await md.removeImage('a:1', { isInUse: () => false });
    await expect(md.removeImage('a:1')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps container records and refuses duplicates', async () => {
    const md = await MetadataStore.open(root);
    await md.putContainer({ id: 'c1', image: 'a:1', imageDigest: manifest('a').digest, chainIds: ['sha256:' + 'd'.repeat(64)] });
    await expect(md.putContainer({ id: 'c1', image: 'a:1', imageDigest: manifest('a').digest, chainIds: [] })).rejects.toMatchObject({ code: 'already_exists' });
    await expect(md.putContainer({ id: '../x', image: 'a:1', imageDigest: manifest('a').digest, chainIds: [] })).rejects.toThrow(/container id/);
    expect((await MetadataStore.open(root)).getContainer('c1').chainIds).toHaveLength(1);
    await md.removeContainer('c1');
    expect(md.listContainers()).toEqual([]);
  });

  it('keeps each container record in its own directory, not in metadata.json', async () => {
    const md = await MetadataStore.open(root);
    await md.putContainer({ id: 'c2', image: 'a:1', imageDigest: manifest('a').digest, chainIds: [] });
    expect(JSON.parse(readFileSync(join(root, 'containers', 'c2', 'lease.json'), 'utf8'))).toMatchObject({ id: 'c2', image: 'a:1' });
    await md.putImage('a:1', manifest('a'));
    expect(JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8')).containers).toEqual({});
    await md.removeContainer('c2');
    expect(existsSync(join(root, 'containers', 'c2', 'lease.json'))).toBe(false);
  });

  it('moves container records of the older layout (inside metadata.json) to lease files', async () => {
    const rec = { id: 'old1', image: 'a:1', imageDigest: manifest('a').digest, chainIds: [], created: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(root, 'metadata.json'), JSON.stringify({ version: 1, images: {}, containers: { old1: rec } }));
    const md = await MetadataStore.open(root);
    expect(md.getContainer('old1')).toEqual(rec);
    expect(JSON.parse(readFileSync(join(root, 'containers', 'old1', 'lease.json'), 'utf8'))).toEqual(rec);
    expect(JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8')).containers).toEqual({});
    expect((await MetadataStore.open(root)).listContainers()).toEqual([rec]);
  });

  it('serialises concurrent changes without losing any', async () => {
    const md = await MetadataStore.open(root);
    await Promise.all(Array.from({ length: 20 }, (_, i) => md.putImage(`img:${i}`, manifest('e'))));
    const onDisk = JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8'));
    expect(Object.keys(onDisk.images)).toHaveLength(20);
  });

  it('reports a corrupt metadata file instead of starting empty', async () => {
    writeFileSync(join(root, 'metadata.json'), '{not json');
    await expect(MetadataStore.open(root)).rejects.toThrow(/metadata .*metadata.json/);
  });
});
