import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec';
import { applyLayer } from './apply-layer.js';
import { openLayerTar } from './decompress.js';
import { makeTar } from './test-tar.js';
import { LayerWorkerPool } from './worker-pool.js';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsrun-pool-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The blob in small chunks, so that flow control (the window of chunks in flight) is exercised. */
function chunked(data: Buffer, size = 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function inMainThread(blob: Buffer, dest: string, what: string): Promise<unknown> {
  mkdirSync(dest);
  writeFileSync(`${dest}.blob`, blob); // a file stream, as the content store gives
  const { tar } = await openLayerTar(createReadStream(`${dest}.blob`), GZIP);
  return applyLayer(tar, dest, what).catch((err: unknown) => err);
}

describe('LayerWorkerPool', () => {
  it('ends idle workers, and starts a new one for the next layer', async () => {
    const pool = new LayerWorkerPool(1, 50);
    const blob = gzipSync(await makeTar([{ name: 'f', body: Buffer.from('x') }]));
    mkdirSync(join(dir, 'a'));
    await pool.apply(chunked(blob), GZIP, join(dir, 'a'), 'layer a');
    expect(pool.workerCount).toBe(1);
    for (let i = 0; i < 100 && pool.workerCount > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(pool.workerCount).toBe(0);
    mkdirSync(join(dir, 'b'));
    await pool.apply(chunked(blob), GZIP, join(dir, 'b'), 'layer b');
    expect(readFileSync(join(dir, 'b', 'f'), 'utf8')).toBe('x');
  });


  it('applies layers in worker threads with the same result as in the main thread', async () => {
    const pool = new LayerWorkerPool(2);
    const big = Buffer.alloc(300_000, 7);
    const blobs = await Promise.all([1, 2, 3].map(async (i) => gzipSync(await makeTar([
      { name: 'd', type: 'directory', mode: 0o755 },
      { name: `d/f${i}`, body: big },
    ]))));
    const results = await Promise.all(blobs.map((b, i) => {
      mkdirSync(join(dir, `w${i}`));
      return pool.apply(chunked(b), GZIP, join(dir, `w${i}`), `layer ${i}`);
    }));
    for (const [i, b] of blobs.entries()) {
      expect(results[i]).toEqual(await inMainThread(b, join(dir, `m${i}`), `layer ${i}`));
      expect(readFileSync(join(dir, `w${i}`, 'd', `f${i + 1}`))).toEqual(big);
    }
  });

  it('returns a hostile or broken layer\'s error as the EngineError the main thread gives', async () => {
    const pool = new LayerWorkerPool(1);
    const escape = gzipSync(await makeTar([{ name: '../../etc/x', type: 'file', body: 'evil' }]));
    const benign = gzipSync(await makeTar([{ name: 'f', body: Buffer.alloc(50_000, 1) }]));
    const truncated = benign.subarray(0, benign.length - 20);
    for (const [name, blob] of [['escape', escape], ['truncated', truncated]] as const) {
      mkdirSync(join(dir, `w-${name}`));
      const got = await pool.apply(chunked(blob, 64), GZIP, join(dir, `w-${name}`), `unpack layer ${name}`).catch((err: unknown) => err);
      const want = await inMainThread(blob, join(dir, `m-${name}`), `unpack layer ${name}`);
      expect(want).toBeInstanceOf(EngineError);
      expect(got).toBeInstanceOf(EngineError);
      expect({ code: (got as EngineError).code, message: (got as EngineError).message })
        .toEqual({ code: (want as EngineError).code, message: (want as EngineError).message });
    }
  });

  it('passes a read error of the blob on to the layer', async () => {
    const pool = new LayerWorkerPool(1);
    const blob = new Readable({ read() { this.destroy(Object.assign(new Error('disk on fire'), { code: 'EIO' })); } });
    mkdirSync(join(dir, 'w'));
    await expect(pool.apply(blob, GZIP, join(dir, 'w'), 'unpack layer x')).rejects.toThrow(/^unpack layer x.*disk on fire/);
  });
});
