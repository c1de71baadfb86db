/**
 * Turns a layer blob into its tar stream: gzip through node:zlib, zstd through
 * fzstd (Node 20 has no zstd), plain tar as is. The media type decides; when it
 * names no known compression the first bytes (magic numbers) do; a gzip or zstd
 * magic wins over the type, since some tools label compressed layers as plain tar.
 */
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { compressionOfMediaType, type LayerCompression } from '../media-types.js';

export function compressionOfMagic(head: Uint8Array): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

class ZstdDecompress extends Transform {
  private readonly zstd = new Decompress((chunk) => { this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)); });
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      this.zstd.push(new Uint8Array(chunk));
      done();
    } catch (err) {
      done(err as Error);
    }
  }
  override _flush(done: (err?: Error | null) => void): void {
    try {
      this.zstd.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}

function decoderFor(kind: LayerCompression): Transform | undefined {
  if (kind === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (kind === 'zstd') return new ZstdDecompress();
  return undefined;
}

/** The uncompressed tar stream of `blob`, with the compression it used. */
export async function openLayerTar(blob: Readable, mediaType: string): Promise<{ tar: Readable; compression: LayerCompression }> {
  const declared = compressionOfMediaType(mediaType);
  const head = await firstChunk(blob);
  const sniffed = head ? compressionOfMagic(head) : 'none';
  const compression = sniffed !== 'none' || head === undefined ? sniffed : declared ?? 'none';
  if (head) blob.unshift(head);
  const decoder = decoderFor(compression);
  if (!decoder) return { tar: blob, compression };
  blob.on('error', (err) => decoder.destroy(err));
  return { tar: blob.pipe(decoder), compression };
}

function firstChunk(stream: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      cleanup();
      resolve(chunk);
    };
    const onEnd = (): void => { cleanup(); resolve(undefined); };
    const onError = (err: Error): void => { cleanup(); reject(err); };
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
