/**
 * The content store on a local filesystem:
 *   <root>/content/blobs/sha256/<hex>            committed blobs, read-only
 *   <root>/content/ingest/<sha256 of ref>/ref.json  { ref, digest, size }
 *   <root>/content/ingest/<sha256 of ref>/data-<pid>-<start time>-<random>
 *                                                bytes one writer received so far
 * A blob appears under blobs/ only by a rename of a verified, fsynced file, so a
 * crash leaves the whole blob or nothing.
 *
 * Writers of one ref in this process take turns (a lock per ref). Writers in
 * different processes (the daemon and a CLI on the same root, two daemons) need
 * no lock: each writes a data file of its own, created with O_EXCL and named after
 * its process, and commit renames only that file, so nobody ever writes into a
 * file another holds or into a committed blob. Two processes fetching one blob
 * both download it, and the second rename replaces the blob with the same bytes.
 * A data file whose process is gone (pid and start time no longer match) is an
 * interrupted ingest: the next writer of the ref adopts it by renaming it to its
 * own name (rename is atomic, so of two adopters one wins and the other starts
 * afresh), rehashes it, and resumes from its end.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, parseDigest, wrapError } from '@tsrun/oci-spec';
import type { BlobInfo, ContentStore, ExpectedBlob, Ingest } from './content-store.js';
import { fsyncDir, TMP_PREFIX, writeFileAtomic } from './fs-atomic.js';
import { KeyedMutex } from './keyed-mutex.js';
import { isOwnerAlive, ownerTag } from './process-owner.js';

const HEX64 = /^[a-f0-9]{64}$/;

/** The hex of a sha256 digest; invalid_argument for anything else. */
export function sha256Hex(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  if (algorithm !== 'sha256') {
    throw new EngineError('invalid_argument', `digest ${digest}: only sha256 content is stored`);
  }
  return encoded;
}

export interface IngestRecord {
  ref: string;
  digest: string;
  size: number;
}

export class LocalContentStore implements ContentStore {
  readonly blobsDir: string;
  readonly ingestDir: string;
  private readonly locks = new KeyedMutex();

  private constructor(readonly root: string) {
    this.blobsDir = join(root, 'content', 'blobs', 'sha256');
    this.ingestDir = join(root, 'content', 'ingest');
  }

  /** Opens (creating) the store under `root` and removes temporary files a crash left in blobs/. */
  static async open(root: string): Promise<LocalContentStore> {
    const store = new LocalContentStore(root);
    await mkdir(store.blobsDir, { recursive: true });
    await mkdir(store.ingestDir, { recursive: true });
    for (const name of await readdir(store.blobsDir)) {
      if (name.startsWith(TMP_PREFIX)) await rm(join(store.blobsDir, name), { force: true });
    }
    return store;
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, sha256Hex(digest));
  }

  async info(digest: string): Promise<BlobInfo | undefined> {
    const path = this.blobPath(digest);
    try {
      const st = await stat(path);
      return st.isFile() ? { digest, size: st.size } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw wrapError(err, `content ${digest}: stat`);
    }
  }

  async read(digest: string, opts: { offset?: number } = {}): Promise<Readable> {
    const path = this.blobPath(digest);
    const offset = opts.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new EngineError('invalid_argument', `content ${digest}: read offset ${offset} must be a non-negative integer`);
    }
    const fh = await open(path, 'r').catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EngineError('not_found', `content ${digest}: not found`);
      throw wrapError(err, `content ${digest}: open`);
    });
    return createReadStream('', { fd: fh, start: offset, autoClose: true });
  }

  async delete(digest: string): Promise<void> {
    const path = this.blobPath(digest);
    try {
      await unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EngineError('not_found', `content ${digest}: not found`);
      throw wrapError(err, `content ${digest}: delete`);
    }
    await fsyncDir(this.blobsDir);
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const name of await readdir(this.blobsDir)) {
      if (!HEX64.test(name)) continue;
      const info = await this.info(`sha256:${name}`);
      if (info) yield info;
    }
  }

  /** Refs of ingests on disk (interrupted or in progress), for resumption and garbage collection. */
  async listIngests(): Promise<IngestRecord[]> {
    const out: IngestRecord[] = [];
    for (const name of await readdir(this.ingestDir)) {
      const rec = await readRecord(join(this.ingestDir, name));
      if (rec) out.push(rec);
    }
    return out;
  }

  async ingest(ref: string, expected: ExpectedBlob): Promise<Ingest> {
    if (typeof ref !== 'string' || ref === '') throw new EngineError('invalid_argument', 'ingest: ref must be a non-empty string');
    sha256Hex(expected.digest);
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new EngineError('invalid_argument', `ingest ${ref}: size ${expected.size} must be a non-negative integer`);
    }
    const release = await this.locks.acquire(ref);
    try {
      const existing = await this.info(expected.digest);
      if (existing) {
        if (existing.size !== expected.size) {
          throw new EngineError('invalid_argument',
            `ingest ${ref}: ${expected.digest} is stored with size ${existing.size}, not ${expected.size}`);
        }
        await sweepIngestDir(this.ingestPath(ref));
        return new CommittedIngest(ref, existing, release);
      }
      return await this.openWriter(ref, expected, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private ingestPath(ref: string): string {
    return join(this.ingestDir, createHash('sha256').update(ref).digest('hex'));
  }

  private async openWriter(ref: string, expected: ExpectedBlob, release: () => void): Promise<Ingest> {
    const dir = this.ingestPath(ref);
    const mine = join(dir, `${DATA_PREFIX}${ownerTag()}-${randomBytes(4).toString('hex')}`);
    const rec = await readRecord(dir);
    const sameBlob = rec !== undefined && rec.ref === ref && rec.digest === expected.digest && rec.size === expected.size;
    const orphans = await deadWriters(dir);
    if (sameBlob) {
      for (const orphan of orphans) {
        if (!(await renameIfPresent(join(dir, orphan.name), mine))) continue;
        const hash = createHash('sha256');
        const offset = await hashFile(mine, hash, expected.size);
        if (offset >= 0) {
          const fh = await open(mine, 'a', 0o644);
          await sweepIngestDir(dir);
          return new IngestWriter(ref, expected, dir, mine, fh, hash, offset, this.blobsDir, release);
        }
        await unlink(mine).catch(() => undefined);
        break;
      }
    }
    // Created before ref.json: a finishing writer removes the directory only when it holds no data file.
    let fh: FileHandle | undefined;
    for (let attempt = 0; fh === undefined; attempt += 1) {
      await mkdir(dir, { recursive: true });
      fh = await open(mine, 'wx', 0o644).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw err;
        return undefined;
      });
    }
    try {
      if (!sameBlob || !(await readRecord(dir))) {
        await writeFileAtomic(join(dir, 'ref.json'), JSON.stringify({ ref, digest: expected.digest, size: expected.size }));
      }
      await sweepIngestDir(dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(mine).catch(() => undefined);
      throw err;
    }
    return new IngestWriter(ref, expected, dir, mine, fh, createHash('sha256'), 0, this.blobsDir, release);
  }
}

const DATA_PREFIX = 'data-';

/** Data files of writers whose process is gone, biggest first (the most to resume from). */
async function deadWriters(dir: string): Promise<{ name: string; size: number }[]> {
  const names = await readdir(dir).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
    throw err;
  });
  const out: { name: string; size: number }[] = [];
  for (const name of names) {
    const owner = name.startsWith(DATA_PREFIX) ? name.slice(DATA_PREFIX.length).replace(/-[a-f0-9]+$/, '') : undefined;
    if (owner === undefined || isOwnerAlive(owner)) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st) out.push({ name, size: st.size });
  }
  return out.sort((a, b) => b.size - a.size);
}

async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Removes dead writers' data files, then the directory when no writer is left.
 * A writer starting meanwhile may lose its ref.json to this: its ingest still
 * completes, only a resumption after its own crash would start from zero.
 */
async function sweepIngestDir(dir: string): Promise<void> {
  for (const orphan of await deadWriters(dir)) await unlink(join(dir, orphan.name)).catch(() => undefined);
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.some((n) => n.startsWith(DATA_PREFIX))) return;
  await unlink(join(dir, 'ref.json')).catch(() => undefined);
  await rmdir(dir).catch(() => undefined);
}

async function readRecord(dir: string): Promise<IngestRecord | undefined> {
  try {
    const rec = JSON.parse(await readFile(join(dir, 'ref.json'), 'utf8')) as IngestRecord;
    if (typeof rec.ref === 'string' && typeof rec.digest === 'string' && typeof rec.size === 'number') return rec;
  } catch {
    // a record torn or missing: the ingest is discarded and started over
  }
  return undefined;
}

/** Feeds the file into `hash` and returns its length; -1 when absent or longer than `max`. */
async function hashFile(path: string, hash: Hash, max: number): Promise<number> {
  let length = 0;
  try {
    const st = await stat(path);
    if (st.size > max) return -1;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw err;
  }
  return length;
}

/** What an ingest of an already stored blob returns: nothing to write, commit returns the blob. */
class CommittedIngest implements Ingest {
  readonly offset: number;
  constructor(readonly ref: string, private readonly blob: BlobInfo, private readonly release: () => void) {
    this.offset = blob.size;
  }
  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    throw new EngineError('already_exists', `ingest ${this.ref}: ${this.blob.digest} is already stored`);
  }
  async commit(): Promise<BlobInfo> {
    this.release();
    return this.blob;
  }
  async abort(): Promise<void> {
    this.release();
  }
}

class IngestWriter implements Ingest {
  private done = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly ref: string,
    private readonly expected: ExpectedBlob,
    private readonly dir: string,
    private readonly dataPath: string,
    private readonly fh: FileHandle,
    private readonly hash: Hash,
    private written: number,
    private readonly blobsDir: string,
    private readonly release: () => void,
  ) {}

  get offset(): number {
    return this.written;
  }

  write(chunk: Uint8Array): Promise<void> {
    // Writes are serialised so that the hash sees bytes in file order even if a caller does not await.
    const next = this.pending.then(() => this.writeNow(chunk));
    this.pending = next.catch(() => {});
    return next;
  }

  private async writeNow(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new EngineError('failed_precondition', `ingest ${this.ref}: already committed or aborted`);
    if (this.written + chunk.length > this.expected.size) {
      await this.discard();
      throw new EngineError('invalid_argument',
        `ingest ${this.ref}: ${this.expected.digest}: more than the expected ${this.expected.size} bytes`);
    }
    await this.fh.write(chunk);
    this.hash.update(chunk);
    this.written += chunk.length;
  }

  async commit(): Promise<BlobInfo> {
    await this.pending;
    if (this.done) throw new EngineError('failed_precondition', `ingest ${this.ref}: already committed or aborted`);
    const { digest, size } = this.expected;
    if (this.written !== size) {
      await this.discard();
      throw new EngineError('invalid_argument', `ingest ${this.ref}: ${digest}: size mismatch (got ${this.written} bytes, expected ${size})`);
    }
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== digest) {
      await this.discard();
      throw new EngineError('invalid_argument', `ingest ${this.ref}: ${digest}: digest mismatch (got ${actual})`);
    }
    try {
      await this.fh.sync();
      await this.fh.chmod(0o444);
      await this.fh.close();
      // only this writer's own file: another process's ingest of the same blob renames its own copy
      await rename(this.dataPath, join(this.blobsDir, sha256Hex(digest)));
      await fsyncDir(this.blobsDir);
      await sweepIngestDir(this.dir);
    } catch (err) {
      throw wrapError(err, `ingest ${this.ref}: commit ${digest}`);
    } finally {
      this.done = true;
      this.release();
    }
    return { digest, size };
  }

  async abort(): Promise<void> {
    await this.pending;
    if (!this.done) await this.discard();
  }

  private async discard(): Promise<void> {
    this.done = true;
    try {
      await this.fh.close().catch(() => {});
      await rm(this.dataPath, { force: true });
      await sweepIngestDir(this.dir);
    } finally {
      this.release();
    }
  }
}
