/** Putting bytes, files and streams into a content store through its verified ingests. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import type { BlobInfo, ContentStore, ExpectedBlob } from './content-store.js';

export function sha256Of(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Writes a blob from `open(offset)` unless the store has it; the ingest verifies
 * size and digest, so a source that does not match stores nothing.
 */
export async function ingestFrom(
  content: ContentStore, expected: ExpectedBlob, open: (offset: number) => Readable | Promise<Readable>, what: string,
): Promise<BlobInfo> {
  const ingest = await content.ingest(expected.digest, expected);
  try {
    if (ingest.offset < expected.size) {
      for await (const chunk of await open(ingest.offset)) await ingest.write(chunk as Uint8Array);
    }
    return await ingest.commit();
  } catch (err) {
    await ingest.abort().catch(() => {});
    throw err instanceof EngineError ? new EngineError(err.code, `${what}: ${err.message}`, { cause: err }) : wrapError(err, what);
  }
}

export function putBytes(content: ContentStore, data: Uint8Array, what: string): Promise<BlobInfo> {
  const expected = { digest: sha256Of(data), size: data.length };
  return ingestFrom(content, expected, (offset) => Readable.from([Buffer.from(data).subarray(offset)]), what);
}

export function putFile(content: ContentStore, path: string, expected: ExpectedBlob, what: string): Promise<BlobInfo> {
  return ingestFrom(content, expected, (start) => createReadStream(path, { start }), what);
}
