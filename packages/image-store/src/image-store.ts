/** The local image store under one root directory: content, metadata, snapshots and container root filesystems. */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { commitContainer } from './commit/commit.js';
import { diskUsage } from './disk-usage.js';
import { exportDockerArchive, importDockerArchive } from './docker-archive.js';
import { collectGarbage } from './gc.js';
import { resolveImage } from './image-reader.js';
import { LocalContentStore } from './local-content-store.js';
import { MetadataStore, type ImageRecord } from './metadata-store.js';
import { exportOciLayout, importOciLayout } from './oci-layout.js';
import { RootfsManager, type PreparedRootfs, type RootfsMounter } from './rootfs.js';
import type {
  CommitRequest, CommitResult, DiskUsage, ExportRequest, ImageDetails, ImageStore, ImportRequest, PruneOptions, PruneReport,
} from './types.js';
import { chainIds } from './unpack/chain-id.js';
import { Snapshotter } from './unpack/snapshotter.js';

export interface LocalImageStoreOptions {
  /** Whether a container (of the engine, beyond this store's own records) uses the image with this manifest digest. */
  isInUse?: (imageDigest: string) => boolean | Promise<boolean>;
  /** Turns a `docker save` RepoTag into a canonical name (the registry client's normaliser); as given by default. */
  normalizeName?: (repoTag: string) => string;
  /** Mounts container root filesystems; util-linux's mount(8) by default. */
  mounter?: RootfsMounter;
}

function checkFormat(format: unknown, field: string): void {
  if (format !== 'oci' && format !== 'docker') throw new EngineError('invalid_argument', `${field}: format ${JSON.stringify(format)} must be "oci" or "docker"`);
}

export class LocalImageStore implements ImageStore {
  private constructor(
    readonly root: string,
    readonly content: LocalContentStore,
    readonly metadata: MetadataStore,
    readonly snapshots: Snapshotter,
    readonly rootfs: RootfsManager,
    private readonly opts: LocalImageStoreOptions,
  ) {}

  static async open(root: string, opts: LocalImageStoreOptions = {}): Promise<LocalImageStore> {
    const content = await LocalContentStore.open(root);
    const metadata = await MetadataStore.open(root);
    const snapshots = new Snapshotter(root, content);
    await snapshots.init();
    // what an interrupted commit or load left
    await rm(join(root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(root, 'tmp'), { mode: 0o700 });
    const rootfs = new RootfsManager(root, content, metadata, snapshots, opts.mounter);
    // writable layers a removal or a crash left in the trash
    void rootfs.emptyTrash().catch(() => undefined);
    return new LocalImageStore(root, content, metadata, snapshots, rootfs, opts);
  }

  get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  async list(): Promise<ImageRecord[]> {
    return this.metadata.listImages();
  }

  /** A name as the store keeps it: as given when stored so, else normalised (`busybox` → `docker.io/library/busybox:latest`). */
  #name(name: string): string {
    const normalize = this.opts.normalizeName;
    if (!normalize || this.metadata.hasImage(name)) return name;
    try {
      return normalize(name);
    } catch {
      return name;
    }
  }

  /** A name an image is about to get: normalised, and refused when it is not a reference (`UPPER:tag`). */
  #newName(name: string, what: string): string {
    const normalize = this.opts.normalizeName;
    if (!normalize) return name;
    try {
      return normalize(name);
    } catch (err) {
      throw new EngineError('invalid_argument', `${what} ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async get(name: string): Promise<ImageDetails> {
    const record = this.metadata.getImage(this.#name(name));
    const r = await resolveImage(this.content, record.target, `inspect ${name}`);
    return {
      record,
      manifestDigest: r.manifestDigest,
      configDigest: r.manifest.config.digest,
      layers: r.manifest.layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
      diffIds: r.config.rootfs.diff_ids,
      chainIds: chainIds(r.config.rootfs.diff_ids),
      size: r.manifest.layers.reduce((n, l) => n + l.size, 0),
      config: r.config,
    };
  }

  tag(source: string, name: string): Promise<ImageRecord> {
    return this.metadata.tag(this.#name(source), this.#newName(name, 'tag'));
  }

  remove(name: string, opts: { force?: boolean } = {}): Promise<ImageRecord> {
    const ours = (d: string): boolean => this.metadata.listContainers().some((c) => c.imageDigest === d);
    const theirs = this.opts.isInUse;
    return this.metadata.removeImage(this.#name(name), { force: opts.force ?? false, isInUse: async (d) => ours(d) || (theirs ? await theirs(d) : false) });
  }

  async importImages(req: ImportRequest): Promise<ImageRecord[]> {
    checkFormat(req.format, 'import');
    if (typeof req.path !== 'string' || req.path === '') throw new EngineError('invalid_argument', 'import: path is required');
    if (req.format === 'oci') {
      return importOciLayout(this.content, this.metadata, req.path, {
        ...(req.refName && { refName: req.refName }), ...(req.repository && { repository: req.repository }),
      });
    }
    return importDockerArchive(this.content, this.metadata, req.path, {
      tmpDir: this.tmpDir, ...(this.opts.normalizeName && { normalizeName: this.opts.normalizeName }),
    });
  }

  async exportImages(req: ExportRequest): Promise<void> {
    checkFormat(req.format, 'export');
    if (typeof req.path !== 'string' || req.path === '') throw new EngineError('invalid_argument', 'export: path is required');
    const images = req.names.map((n) => this.metadata.getImage(this.#name(n)));
    if (req.format === 'oci') await exportOciLayout(this.content, images, req.path);
    else await exportDockerArchive(this.content, images, req.path, req.platform);
  }

  prepareRootfs(containerId: string, imageRef: string): Promise<PreparedRootfs> {
    return this.rootfs.prepareRootfs(containerId, this.#name(imageRef));
  }

  removeRootfs(containerId: string): Promise<void> {
    return this.rootfs.removeRootfs(containerId);
  }

  commit(req: CommitRequest): Promise<CommitResult> {
    return commitContainer({
      content: this.content, metadata: this.metadata, tmpDir: this.tmpDir,
      upperDir: (id) => join(this.rootfs.containerDir(id), 'upper'),
    }, { ...req, name: req.name === '' ? '' : this.#newName(req.name, 'commit') });
  }

  async prune(opts: PruneOptions = {}): Promise<PruneReport> {
    await this.rootfs.emptyTrash();
    return collectGarbage(this.content, this.metadata, this.snapshots, opts);
  }

  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.content, this.metadata, this.snapshots, this.rootfs.dir);
  }
}
