/**
 * The content store: blobs addressed by their digest (sha256:<64 hex>). The one
 * interface that the local store (./local-content-store.ts), its gRPC client
 * proxy, and the registry client's pull and push are written against.
 */
import type { Readable } from 'node:stream';

/** What a descriptor says a blob must be. */
export interface ExpectedBlob {
  digest: string;
  size: number;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

/**
 * One blob being written. Resumable: an interrupted ingest with the same ref
 * keeps what it had, and `offset` says how many bytes are already there (the
 * digest state is rebuilt from them), so a pull resumes with an HTTP Range
 * request from `offset`. Only `commit` makes the blob visible.
 */
export interface Ingest {
  readonly ref: string;
  readonly offset: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Checks size and digest, fsyncs, renames into place. A mismatch discards the
   * data and throws EngineError('invalid_argument', '... digest mismatch (got sha256:...)'). */
  commit(): Promise<BlobInfo>;
  /** Drops the partial data. */
  abort(): Promise<void>;
}

export interface ContentStore {
  /** The blob's info when the store has it whole; undefined otherwise. */
  info(digest: string): Promise<BlobInfo | undefined>;
  /** Open (or resume) an ingest. Two concurrent ingests of one ref in one process
   * share nothing: the second waits for the first (a lock per ref), then sees the
   * committed blob. Ingests in different processes each write their own copy and
   * both commit; neither ever writes into the other's data or a committed blob. */
  ingest(ref: string, expected: ExpectedBlob): Promise<Ingest>;
  /** A committed blob's bytes; EngineError('not_found') when absent. */
  read(digest: string, opts?: { offset?: number }): Promise<Readable>;
  /** Remove a blob (garbage collection). */
  delete(digest: string): Promise<void>;
  /** Every committed blob. */
  list(): AsyncIterable<BlobInfo>;
}
