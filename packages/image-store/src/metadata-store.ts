/**
 * Image records in one JSON file (<root>/metadata.json), rewritten atomically and
 * durably on every change. Image names are canonical references
 * (`docker.io/library/busybox:latest`) as the registry client normalises them;
 * this store keeps them as given.
 *
 * A container's record (which snapshots its rootfs holds) is a file of its own,
 * <root>/containers/<id>/lease.json, next to its writable layer: creating or
 * removing a container rewrites no shared file and waits for no fsync. It is
 * written atomically; a crash may lose a young one, and the container's
 * directory with it is then an orphan that garbage collection removes.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, isValidDigest, wrapError } from '@tsrun/oci-spec';
import { writeFileAtomic } from './fs-atomic.js';
import { isIndexType, isManifestType } from './media-types.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface ImageRecord {
  name: string;
  /** The manifest or index the name points at. */
  target: Descriptor;
  created: string;
  updated: string;
}

export interface ContainerRecord {
  id: string;
  /** The image name the container was created from, and the manifest digest it resolved to. */
  image: string;
  imageDigest: string;
  /** Chain IDs of the snapshots its rootfs stacks, bottom first. */
  chainIds: string[];
  created: string;
}

interface MetadataFile {
  version: 1;
  images: Record<string, ImageRecord>;
  containers: Record<string, ContainerRecord>;
}

export interface RemoveImageOptions {
  force?: boolean;
  /** Whether a container uses the image with this manifest digest; defaults to this store's container records. */
  isInUse?: (imageDigest: string) => boolean | Promise<boolean>;
}

const NAME = /^[^\s\0]+$/;
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function checkName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 4096) {
    throw new EngineError('invalid_argument', `image ${field} ${JSON.stringify(name)}: must be a non-empty reference without spaces`);
  }
}

export function checkDescriptor(d: Descriptor, what: string): void {
  if (typeof d?.mediaType !== 'string' || d.mediaType === '') {
    throw new EngineError('invalid_argument', `${what}: mediaType must be a non-empty string`);
  }
  if (typeof d.digest !== 'string' || !isValidDigest(d.digest)) {
    throw new EngineError('invalid_argument', `${what}: digest ${JSON.stringify(d.digest)} is not a valid digest`);
  }
  if (!Number.isSafeInteger(d.size) || d.size < 0) {
    throw new EngineError('invalid_argument', `${what}: size ${JSON.stringify(d.size)} must be a non-negative integer`);
  }
}

export const LEASE_FILE = 'lease.json';

export class MetadataStore {
  private data: MetadataFile = { version: 1, images: {}, containers: {} };
  private containers = new Map<string, ContainerRecord>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly path: string, readonly containersDir: string) {}

  static async open(root: string): Promise<MetadataStore> {
    await mkdir(root, { recursive: true });
    const store = new MetadataStore(join(root, 'metadata.json'), join(root, 'containers'));
    try {
      const parsed = JSON.parse(await readFile(store.path, 'utf8')) as MetadataFile;
      if (parsed.version !== 1 || typeof parsed.images !== 'object' || typeof parsed.containers !== 'object') {
        throw new Error(`unknown format (version ${JSON.stringify(parsed.version)})`);
      }
      store.data = parsed;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrapError(err, `metadata ${store.path}`, 'internal');
    }
    await store.loadContainers();
    return store;
  }

  /** Reads every lease; records of an older layout (inside metadata.json) move to lease files. */
  private async loadContainers(): Promise<void> {
    let ids: string[] = [];
    try {
      ids = await readdir(this.containersDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrapError(err, `metadata ${this.containersDir}`, 'internal');
    }
    for (const id of ids) {
      try {
        const rec = JSON.parse(await readFile(this.leasePath(id), 'utf8')) as ContainerRecord;
        if (rec.id === id) this.containers.set(id, rec);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw wrapError(err, `metadata ${this.leasePath(id)}`, 'internal');
      }
    }
    const old = Object.values(this.data.containers);
    for (const rec of old) {
      if (this.containers.has(rec.id)) continue;
      await mkdir(join(this.containersDir, rec.id), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.leasePath(rec.id), `${JSON.stringify(rec)}\n`, 0o600);
      this.containers.set(rec.id, rec);
    }
    if (old.length > 0) await this.mutate(() => undefined);
  }

  leasePath(id: string): string {
    return join(this.containersDir, id, LEASE_FILE);
  }

  listImages(): ImageRecord[] {
    return Object.values(this.data.images).map((r) => structuredClone(r)).sort((a, b) => a.name.localeCompare(b.name));
  }

  hasImage(name: string): boolean {
    return Object.hasOwn(this.data.images, name);
  }

  getImage(name: string): ImageRecord {
    const rec = this.data.images[name];
    if (!rec) throw new EngineError('not_found', `image ${name}: not found`);
    return structuredClone(rec);
  }

  findImage(name: string): ImageRecord | undefined {
    const rec = this.data.images[name];
    return rec && structuredClone(rec);
  }

  /** Points `name` at `target` (a manifest or an index), creating or moving the name. */
  putImage(name: string, target: Descriptor): Promise<ImageRecord> {
    return this.mutate(() => {
      checkName(name);
      checkDescriptor(target, `image ${name}: target`);
      if (!isManifestType(target.mediaType) && !isIndexType(target.mediaType)) {
        throw new EngineError('invalid_argument', `image ${name}: target mediaType ${target.mediaType} is neither a manifest nor an index`);
      }
      const now = new Date().toISOString();
      const rec: ImageRecord = { name, target: structuredClone(target), created: this.data.images[name]?.created ?? now, updated: now };
      this.data.images[name] = rec;
      return structuredClone(rec);
    });
  }

  /** A second name for the image `source` names. */
  tag(source: string, name: string): Promise<ImageRecord> {
    return this.mutate(() => {
      checkName(name, 'tag');
      const src = this.data.images[source];
      if (!src) throw new EngineError('not_found', `tag ${source} as ${name}: image ${source}: not found`);
      const now = new Date().toISOString();
      const rec: ImageRecord = { name, target: structuredClone(src.target), created: this.data.images[name]?.created ?? now, updated: now };
      this.data.images[name] = rec;
      return structuredClone(rec);
    });
  }

  /**
   * Removes a name. When it is the last name of its image and a container uses the
   * image, refuses with failed_precondition unless forced.
   */
  removeImage(name: string, opts: RemoveImageOptions = {}): Promise<ImageRecord> {
    return this.mutate(async () => {
      const rec = this.data.images[name];
      if (!rec) throw new EngineError('not_found', `remove image ${name}: not found`);
      const digest = rec.target.digest;
      const lastName = !Object.values(this.data.images).some((r) => r.name !== name && r.target.digest === digest);
      if (lastName && !opts.force) {
        const inUse = opts.isInUse
          ? await opts.isInUse(digest)
          : [...this.containers.values()].some((c) => c.imageDigest === digest);
        if (inUse) {
          throw new EngineError('failed_precondition', `remove image ${name}: ${digest} is used by a container (force to remove anyway)`);
        }
      }
      delete this.data.images[name];
      return rec;
    });
  }

  listContainers(): ContainerRecord[] {
    return [...this.containers.values()].map((c) => structuredClone(c));
  }

  hasContainer(id: string): boolean {
    return this.containers.has(id);
  }

  getContainer(id: string): ContainerRecord {
    const rec = this.containers.get(id);
    if (!rec) throw new EngineError('not_found', `container ${id}: not found`);
    return structuredClone(rec);
  }

  /** Records the container in <root>/containers/<id>/, which it creates if need be. */
  async putContainer(rec: Omit<ContainerRecord, 'created'>): Promise<ContainerRecord> {
    if (typeof rec.id !== 'string' || !CONTAINER_ID.test(rec.id)) {
      throw new EngineError('invalid_argument', `container id ${JSON.stringify(rec.id)}: must be 1-128 of [A-Za-z0-9_.-], not starting with . _ or -`);
    }
    if (this.containers.has(rec.id)) throw new EngineError('already_exists', `container ${rec.id}: already exists`);
    if (!isValidDigest(rec.imageDigest)) {
      throw new EngineError('invalid_argument', `container ${rec.id}: imageDigest ${JSON.stringify(rec.imageDigest)} is not a valid digest`);
    }
    const full: ContainerRecord = { ...structuredClone(rec), created: new Date().toISOString() };
    this.containers.set(rec.id, full);
    try {
      await mkdir(join(this.containersDir, rec.id), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.leasePath(rec.id), `${JSON.stringify(full)}\n`, 0o600, { durable: false });
    } catch (err) {
      this.containers.delete(rec.id);
      throw wrapError(err, `container ${rec.id}: record`, 'internal');
    }
    return structuredClone(full);
  }

  /** Forgets the container and removes its lease (the caller removes the rest of its directory). */
  async removeContainer(id: string): Promise<void> {
    if (!this.containers.has(id)) throw new EngineError('not_found', `container ${id}: not found`);
    await rm(this.leasePath(id), { force: true });
    this.containers.delete(id);
  }

  /** Runs one change on a copy and writes it; a failed change or write leaves memory and disk as they were. */
  private mutate<T>(change: () => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const before = structuredClone(this.data);
      try {
        const result = await change();
        this.data.containers = {};
        await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
        return result;
      } catch (err) {
        this.data = before;
        throw err;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}
