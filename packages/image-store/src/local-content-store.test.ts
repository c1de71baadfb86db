import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec';
import { LocalContentStore } from './local-content-store.js';

const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'image-store-cs-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function collect(store: LocalContentStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of store.list()) out.push(b.digest);
  return out;
}

describe('LocalContentStore', () => {
  it('stores a blob only on a verified commit, under blobs/sha256/<hex>', async () => {
    const store = await LocalContentStore.open(root);
    const data = randomBytes(100_000);
    const digest = digestOf(data);
    const w = await store.ingest('layer-1', { digest, size: data.length });
    expect(w.offset).toBe(0);
    await w.write(data.subarray(0, 4000));
    await w.write(data.subarray(4000));
    expect(await store.info(digest)).toBeUndefined();
    expect(await w.commit()).toEqual({ digest, size: data.length });
    expect(await store.info(digest)).toEqual({ digest, size: data.length });
    expect(statSync(join(root, 'content/blobs/sha256', digest.slice(7))).size).toBe(data.length);
    expect(await collect(store)).toEqual([digest]);
    expect(readdirSync(join(root, 'content/ingest'))).toEqual([]);
    const tail: Buffer[] = [];
    for await (const c of await store.read(digest, { offset: 99_990 })) tail.push(c as Buffer);
    expect(Buffer.concat(tail)).toEqual(data.subarray(99_990));
  });

  it('rejects a digest mismatch naming both digests, and keeps nothing', async () => {
    const store = await LocalContentStore.open(root);
    const data = Buffer.from('hello');
    const wrong = digestOf(Buffer.from('hellp'));
    const w = await store.ingest('x', { digest: wrong, size: 5 });
    await w.write(data);
    const err = await w.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_argument');
    expect((err as EngineError).message).toContain(wrong);
    expect((err as EngineError).message).toContain(`digest mismatch (got ${digestOf(data)})`);
    expect(await store.info(wrong)).toBeUndefined();
    expect(await store.info(digestOf(data))).toBeUndefined();
    expect(readdirSync(join(root, 'content/ingest'))).toEqual([]);
    expect(await collect(store)).toEqual([]);
  });

  it('rejects short and overlong content', async () => {
    const store = await LocalContentStore.open(root);
    const data = Buffer.from('0123456789');
    const digest = digestOf(data);
    const short = await store.ingest('s', { digest, size: 10 });
    await short.write(data.subarray(0, 9));
    await expect(short.commit()).rejects.toThrow(/size mismatch \(got 9 bytes, expected 10\)/);
    const long = await store.ingest('l', { digest, size: 10 });
    await expect(long.write(Buffer.concat([data, data]))).rejects.toThrow(/more than the expected 10 bytes/);
    expect(await store.info(digest)).toBeUndefined();
  });

  it('validates digests and sizes before touching anything', async () => {
    const store = await LocalContentStore.open(root);
    await expect(store.ingest('r', { digest: 'sha256:ABC', size: 1 })).rejects.toThrow(/64 lowercase hex/);
    await expect(store.ingest('r', { digest: `md5:${'a'.repeat(32)}`, size: 1 })).rejects.toThrow(/unsupported algorithm/);
    await expect(store.ingest('r', { digest: `sha512:${'a'.repeat(128)}`, size: 1 })).rejects.toThrow(/only sha256/);
    await expect(store.ingest('r', { digest: digestOf(Buffer.from('')), size: -1 })).rejects.toThrow(/size -1/);
    await expect(store.info('sha256:../../etc/passwd')).rejects.toThrow(/64 lowercase hex/);
    expect(readdirSync(join(root, 'content/ingest'))).toEqual([]);
  });

  it('starts over when the ref was resumed for a different blob', async () => {
    const store = await LocalContentStore.open(root);
    const a = Buffer.from('aaaa');
    const b = Buffer.from('bbbbbb');
    const w = await store.ingest('ref', { digest: digestOf(a), size: 4 });
    await w.write(a.subarray(0, 2));
    const other = await LocalContentStore.open(root);
    const w2 = await other.ingest('ref', { digest: digestOf(b), size: 6 });
    expect(w2.offset).toBe(0);
    await w2.write(b);
    await w2.commit();
    expect(await other.info(digestOf(b))).toBeDefined();
  });

  it('makes the second of two concurrent ingests of one ref wait, then see the blob', async () => {
    const store = await LocalContentStore.open(root);
    const data = randomBytes(1000);
    const digest = digestOf(data);
    const w1 = await store.ingest('same', { digest, size: data.length });
    let secondOpened = false;
    const second = store.ingest('same', { digest, size: data.length }).then((w) => { secondOpened = true; return w; });
    await new Promise((r) => setTimeout(r, 30));
    expect(secondOpened).toBe(false);
    await w1.write(data);
    await w1.commit();
    const w2 = await second;
    expect(w2.offset).toBe(data.length);
    await expect(w2.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'already_exists' });
    expect(await w2.commit()).toEqual({ digest, size: data.length });
  });

  it('hands the ref to the waiter after an abort, which starts from zero', async () => {
    const store = await LocalContentStore.open(root);
    const data = randomBytes(10);
    const digest = digestOf(data);
    const w1 = await store.ingest('r', { digest, size: 10 });
    await w1.write(data.subarray(0, 5));
    const second = store.ingest('r', { digest, size: 10 });
    await w1.abort();
    const w2 = await second;
    expect(w2.offset).toBe(0);
    await w2.write(data);
    await w2.commit();
    expect(await store.info(digest)).toEqual({ digest, size: 10 });
  });

  it('never shows a partial ingest or a leftover temporary file as a blob, and cleans the latter on open', async () => {
    const store = await LocalContentStore.open(root);
    const data = randomBytes(5000);
    const digest = digestOf(data);
    const w = await store.ingest('crash', { digest, size: data.length });
    await w.write(data.subarray(0, 4999));
    const tmp = join(root, 'content/blobs/sha256', `.tmp-${digest.slice(7)}-abc`);
    writeFileSync(tmp, data);
    expect(await collect(store)).toEqual([]);
    expect(await store.info(digest)).toBeUndefined();
    await expect(store.read(digest)).rejects.toMatchObject({ code: 'not_found' });
    const reopened = await LocalContentStore.open(root);
    expect(existsSync(tmp)).toBe(false);
    expect(await collect(reopened)).toEqual([]);
    expect((await reopened.listIngests()).map((i) => i.ref)).toEqual(['crash']);
  });

  it('deletes blobs and reports a missing one as not_found', async () => {
    const store = await LocalContentStore.open(root);
    const data = Buffer.from('bye');
    const digest = digestOf(data);
    const w = await store.ingest('d', { digest, size: 3 });
    await w.write(data);
    await w.commit();
    await store.delete(digest);
    expect(await store.info(digest)).toBeUndefined();
    await expect(store.delete(digest)).rejects.toMatchObject({ code: 'not_found' });
  });
});
