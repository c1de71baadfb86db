/**
 * Layer snapshots: <root>/snapshots/<chain ID hex>/fs holds one layer applied on
 * its own, ready to be a lowerdir of an overlay mount, and snapshot.json says
 * what it is. One snapshot per chain ID, shared by every image with that chain.
 * Each layer is unpacked into a temporary directory and renamed into place, so a
 * crash leaves whole snapshots or none. Layers decompress and unpack in parallel;
 * their commits run bottom first, so a snapshot is never visible without its parent.
 * The tar is applied in a worker thread per layer (worker-pool.ts); the commit runs here.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import type { ContentStore } from '../content-store.js';
import { fsyncDir, TMP_PREFIX, writeFileAtomic } from '../fs-atomic.js';
import { chainIds } from './chain-id.js';
import { LayerWorkerPool } from './worker-pool.js';

export interface LayerRef {
  mediaType: string;
  digest: string;
  /** The DiffID the image config lists for this layer. */
  diffId: string;
}

export interface SnapshotInfo {
  chainId: string;
  diffId: string;
  parent?: string;
  layerDigest: string;
  /** Bytes of the uncompressed layer tar. */
  size: number;
  created: string;
}

export interface UnpackOptions {
  /** Resolves once the layer's blob is in the content store: each layer starts unpacking as soon as its own blob is there. */
  whenAvailable?: (layer: LayerRef, index: number) => Promise<void>;
  /** Per layer: 'unpacking' when it starts, then 'done' when its snapshot is committed, or 'exists' when it was there. */
  onLayer?: (event: { index: number; chainId: string; layerDigest: string; phase: 'unpacking' | 'done' | 'exists' }) => void;
}

const HEX64 = /^[a-f0-9]{64}$/;

function hexOf(chainId: string): string {
  const hex = chainId.startsWith('sha256:') ? chainId.slice(7) : '';
  if (!HEX64.test(hex)) throw new EngineError('invalid_argument', `snapshot ${JSON.stringify(chainId)}: not a sha256 chain ID`);
  return hex;
}

export class Snapshotter {
  readonly dir: string;
  private readonly inflight = new Map<string, Promise<void>>();
  /** Layers are applied in worker threads (one per core), the blob read here. */
  private readonly workers = new LayerWorkerPool();

  constructor(root: string, private readonly content: ContentStore) {
    this.dir = join(root, 'snapshots');
  }

  /** Creates the directory and removes what an interrupted unpack left behind. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(TMP_PREFIX)) await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** The directory an overlay mount uses for this snapshot. */
  fsPath(chainId: string): string {
    return join(this.dir, hexOf(chainId), 'fs');
  }

  async info(chainId: string): Promise<SnapshotInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, hexOf(chainId), 'snapshot.json'), 'utf8')) as SnapshotInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw wrapError(err, `snapshot ${chainId}`);
    }
  }

  async list(): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const name of await readdir(this.dir)) {
      if (!HEX64.test(name)) continue;
      const info = await this.info(`sha256:${name}`);
      if (info) out.push(info);
    }
    return out;
  }

  async remove(chainId: string): Promise<void> {
    const dir = join(this.dir, hexOf(chainId));
    const st = await stat(dir).catch(() => undefined);
    if (!st) throw new EngineError('not_found', `snapshot ${chainId}: not found`);
    // Renamed away first so that a crash mid-removal leaves no half snapshot under its name.
    const doomed = join(this.dir, `${TMP_PREFIX}rm-${hexOf(chainId)}-${randomBytes(4).toString('hex')}`);
    await rename(dir, doomed);
    await fsyncDir(this.dir);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Unpacks every layer that has no snapshot yet; returns the chain IDs, bottom first. */
  async unpack(layers: readonly LayerRef[], opts: UnpackOptions = {}): Promise<string[]> {
    const ids = chainIds(layers.map((l) => l.diffId));
    let previous: Promise<void> = Promise.resolve();
    const all: Promise<void>[] = [];
    for (const [i, layer] of layers.entries()) {
      const chainId = ids[i]!;
      const parentCommitted = previous;
      let job = this.inflight.get(chainId);
      if (!job) {
        job = this.unpackOne(layer, i, chainId, ids[i - 1], parentCommitted, opts).finally(() => this.inflight.delete(chainId));
        this.inflight.set(chainId, job);
      } else if (opts.onLayer) {
        const onLayer = opts.onLayer;
        job = job.then(() => onLayer({ index: i, chainId, layerDigest: layer.digest, phase: 'done' }));
      }
      previous = job;
      all.push(job);
    }
    const results = await Promise.allSettled(all);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return ids;
  }

  private async unpackOne(
    layer: LayerRef, index: number, chainId: string, parent: string | undefined, parentCommitted: Promise<void>, opts: UnpackOptions,
  ): Promise<void> {
    const final = join(this.dir, hexOf(chainId));
    const event = { index, chainId, layerDigest: layer.digest };
    if (await this.info(chainId)) {
      opts.onLayer?.({ ...event, phase: 'exists' });
      return;
    }
    await opts.whenAvailable?.(layer, index);
    opts.onLayer?.({ ...event, phase: 'unpacking' });
    const what = `unpack layer ${layer.digest}`;
    const tmp = join(this.dir, `${TMP_PREFIX}${hexOf(chainId)}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(join(tmp, 'fs'), { recursive: true, mode: 0o755 });
      const result = await this.workers.apply(await this.content.read(layer.digest), layer.mediaType, join(tmp, 'fs'), what);
      if (result.diffId !== layer.diffId) {
        throw new EngineError('invalid_argument', `${what}: diff ID mismatch: the image config says ${layer.diffId} (got ${result.diffId})`);
      }
      const info: SnapshotInfo = { chainId, diffId: result.diffId, layerDigest: layer.digest, size: result.size, created: new Date().toISOString() };
      if (parent) info.parent = parent;
      await writeFileAtomic(join(tmp, 'snapshot.json'), JSON.stringify(info, null, 2));
      // One syncfs(2) for the whole tree (`sync -f`) instead of an fsync per file: a crash after the rename then finds the data.
      await promisify(execFile)('sync', ['-f', tmp]);
      await parentCommitted;
      await rename(tmp, final).catch(async (err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      });
      await fsyncDir(this.dir);
      opts.onLayer?.({ ...event, phase: 'done' });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err instanceof EngineError ? err : wrapError(err, what);
    }
  }
}
