/**
 * Fetches one blob into the content store: never when the store has it; the
 * bytes streamed into an ingest (written in 1 MiB batches), counted (an overrun
 * aborts) and hashed by the store, which refuses a mismatch at commit; an
 * interrupted transfer resumed with a Range request from the ingest's offset
 * (from scratch when the registry answers 200); and one download per digest
 * at a time, shared by every pull that wants it.
 */
import type { BlobInfo, ContentStore, Ingest } from '@tsrun/image-store';
import { EngineError, isEngineError, wrapError } from '@tsrun/oci-spec';
import type { Descriptor } from './media-types.js';
import type { RegistryRepository } from './registry-repository.js';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy, sleep } from './retry.js';

const WRITE_BATCH = 1024 * 1024;

class FinalError {
  constructor(readonly error: unknown) {}
}

export type BlobListener = (phase: 'downloading' | 'verifying', bytesDone: number) => void;

interface InFlight {
  promise: Promise<BlobInfo>;
  listeners: Set<BlobListener>;
}

function shortDigest(digest: string): string {
  return digest.slice(0, 19);
}

/** Errors worth another try: the connection dropped or stalled, the body ended short. */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

function isTransient(err: unknown): boolean {
  if (isEngineError(err)) return err.code === 'unavailable';
  // undici reports a dropped body as TypeError('terminated') with the socket error as its cause
  if (err instanceof TypeError) return true;
  const code = (err as { code?: string; cause?: { code?: string } } | null)?.code ?? (err as { cause?: { code?: string } } | null)?.cause?.code;
  return code !== undefined && TRANSIENT_ERRNO.has(code);
}

export class BlobFetcher {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly retry: RetryPolicy;

  constructor(private readonly store: ContentStore, retry: Partial<RetryPolicy> = {}) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  /** Downloads in progress, by digest (for tests and diagnostics). */
  get active(): number {
    return this.inFlight.size;
  }

  /** The blob in the store, fetched from `repo` unless it is there already; `what` prefixes errors. */
  async fetch(repo: RegistryRepository, desc: Descriptor, what: string, onProgress?: BlobListener): Promise<BlobInfo> {
    let entry = this.inFlight.get(desc.digest);
    if (entry === undefined) {
      const listeners = new Set<BlobListener>();
      const emit: BlobListener = (phase, bytes) => { for (const l of listeners) l(phase, bytes); };
      const promise = this.download(repo, desc, what, emit).finally(() => this.inFlight.delete(desc.digest));
      entry = { promise, listeners };
      this.inFlight.set(desc.digest, entry);
    }
    if (onProgress) entry.listeners.add(onProgress);
    try {
      return await entry.promise;
    } finally {
      if (onProgress) entry.listeners.delete(onProgress);
    }
  }

  private async download(repo: RegistryRepository, desc: Descriptor, what: string, emit: BlobListener): Promise<BlobInfo> {
    const label = `${what} ${shortDigest(desc.digest)}`;
    const ref = `fetch-${desc.digest}`;
    let ingest = await this.store.ingest(ref, { digest: desc.digest, size: desc.size });
    try {
      for (let attempt = 1; ingest.offset < desc.size; attempt += 1) {
        const offset = ingest.offset;
        try {
          // the request itself was retried by the transport: only a broken body is retried here
          const res = await repo.getBlob(desc.digest, offset, label).catch((err: unknown) => {
            throw new FinalError(err);
          });
          if (offset > 0 && res.status === 200) {
            await ingest.abort();
            ingest = await this.store.ingest(ref, { digest: desc.digest, size: desc.size });
          } else if (res.status === 206) {
            const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]);
            if (start !== offset) {
              await res.body?.cancel().catch(() => undefined);
              throw new EngineError('unavailable', `${label}: asked for bytes from ${offset}, the registry sent from ${res.headers.get('content-range')}`);
            }
          }
          await this.stream(res, ingest, desc, label, emit);
          if (ingest.offset < desc.size) {
            throw new EngineError('unavailable', `${label}: the body ended at ${ingest.offset} of ${desc.size} bytes`);
          }
        } catch (err) {
          if (err instanceof FinalError) throw err.error;
          if (!isTransient(err) || attempt >= this.retry.attempts) throw err;
          await sleep(backoffDelay(this.retry, attempt));
        }
      }
      emit('verifying', ingest.offset);
      // the store hashes what it is given and refuses a mismatch at commit (one hash pass, not two)
      try {
        return await ingest.commit();
      } catch (err) {
        const got = /digest mismatch \(got (sha256:[a-f0-9]{64})\)/.exec((err as Error).message)?.[1];
        if (got !== undefined) throw new EngineError('failed_precondition', `${label}: digest mismatch (got ${got})`, { cause: err });
        throw wrapError(err, label);
      }
    } catch (err) {
      await ingest.abort().catch(() => undefined);
      if (isEngineError(err)) throw err;
      throw wrapError(err, label, 'unavailable');
    }
  }

  private async stream(res: Response, ingest: Ingest, desc: Descriptor, label: string, emit: BlobListener): Promise<void> {
    if (res.body === null) return;
    emit('downloading', ingest.offset);
    // fetch yields chunks of a few KiB: the store is written in batches, and what
    // arrived before a broken connection is still written, for the Range resume
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const batch = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await ingest.write(batch);
      emit('downloading', ingest.offset);
    };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (ingest.offset + pendingBytes + chunk.length > desc.size) {
          pending = [];
          pendingBytes = 0;
          throw new EngineError('failed_precondition', `${label}: the registry sent more than the ${desc.size} bytes the manifest declares`);
        }
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH) await flush();
      }
    } finally {
      await flush();
    }
  }
}
