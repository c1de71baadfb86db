/**
 * Container root filesystems: an overlay mount of the image's snapshots (the top
 * layer first in lowerdir) under a fresh upperdir and workdir:
 *   <root>/containers/<id>/{upper,work,rootfs}
 * Node has no mount(2): a RootfsMounter does the mount, by default util-linux's
 * mount(8) spawned once per container (tsd hands in one that asks its resident
 * C shim server instead, which costs far less). The mount runs with its working
 * directory in <root>/snapshots and names the lower layers relatively, which
 * keeps the mount options under the kernel's one-page limit for deep images.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineError } from '@tsrun/oci-spec';
import type { ContentStore } from './content-store.js';
import { resolveImage, type Platform } from './image-reader.js';
import type { MetadataStore } from './metadata-store.js';
import type { Snapshotter } from './unpack/snapshotter.js';

const run = promisify(execFile);

export interface PreparedRootfs {
  id: string;
  /** The mounted root filesystem. */
  rootfs: string;
  imageDigest: string;
  chainIds: string[];
}

function stderrOf(err: unknown): string {
  return ((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
}

/** Mounts and unmounts container root filesystems; errors name the target and say why. */
export interface RootfsMounter {
  /** mount("overlay", target, "overlay", 0, options) with cwd as the working directory */
  mountOverlay(cwd: string, options: string, target: string): Promise<void>;
  unmount(target: string): Promise<void>;
}

/** util-linux's mount(8) and umount(8), a process each. */
export const utilLinuxMounter: RootfsMounter = {
  async mountOverlay(cwd, options, target) {
    try {
      await run('mount', ['-t', 'overlay', '-o', options, 'overlay', target], { cwd });
    } catch (err) {
      throw new Error(`mount overlay on ${target}: ${stderrOf(err)}`, { cause: err });
    }
  },
  async unmount(target) {
    try {
      await run('umount', [target]);
    } catch (err) {
      throw new Error(`umount ${target}: ${stderrOf(err)}`, { cause: err });
    }
  },
};

/** Whether `path` is a mount point now (/proc/self/mountinfo, octal escapes undone). */
export async function isMounted(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => {
    const field = line.split(' ')[4];
    return field !== undefined && field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))) === path;
  });
}

export class RootfsManager {
  readonly dir: string;

  constructor(
    root: string,
    private readonly content: ContentStore,
    private readonly metadata: MetadataStore,
    private readonly snapshots: Snapshotter,
    private readonly mounter: RootfsMounter = utilLinuxMounter,
  ) {
    this.dir = join(root, 'containers');
    this.trash = join(root, 'trash');
  }

  /** where removed writable layers wait to be deleted, off the request's path */
  readonly trash: string;

  /** Deletes what removals (or a crash during one) left in the trash; in the background unless awaited. */
  async emptyTrash(): Promise<void> {
    for (const name of await readdir(this.trash).catch(() => [] as string[])) await rm(join(this.trash, name), { recursive: true, force: true });
  }

  containerDir(id: string): string {
    return join(this.dir, id);
  }

  /** Unpacks what is missing, mounts the overlay, records the container. */
  async prepareRootfs(id: string, imageRef: string, platform?: Platform): Promise<PreparedRootfs> {
    const what = `prepare rootfs of ${id} from ${imageRef}`;
    const image = this.metadata.getImage(imageRef);
    const resolved = await resolveImage(this.content, image.target, what, platform);
    const ids = await this.snapshots.unpack(resolved.manifest.layers.map((l, i) => ({
      mediaType: l.mediaType, digest: l.digest, diffId: resolved.config.rootfs.diff_ids[i]!,
    })));
    const dir = this.containerDir(id);
    const rootfs = join(dir, 'rootfs');
    // what a crash left of an earlier attempt goes first: the record lives in the directory
    if (!this.metadata.hasContainer(id)) await rm(dir, { recursive: true, force: true });
    await this.metadata.putContainer({ id, image: imageRef, imageDigest: resolved.manifestDigest, chainIds: ids });
    try {
      for (const sub of ['upper', 'work', 'rootfs']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
      const lower = ids.map((c) => join(c.slice('sha256:'.length), 'fs')).reverse().join(':');
      const options = `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
      await this.mounter.mountOverlay(this.snapshots.dir, options, rootfs);
    } catch (err) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      await this.metadata.removeContainer(id).catch(() => {});
      throw new EngineError('internal', `${what}: ${(err as Error).message}`, { cause: err });
    }
    return { id, rootfs, imageDigest: resolved.manifestDigest, chainIds: ids };
  }

  /** Unmounts and deletes the container's rootfs and writable layer, and forgets the container. */
  async removeRootfs(id: string): Promise<void> {
    this.metadata.getContainer(id);
    const dir = this.containerDir(id);
    const rootfs = join(dir, 'rootfs');
    if (await isMounted(rootfs)) {
      try {
        await this.mounter.unmount(rootfs);
      } catch (err) {
        throw new EngineError('failed_precondition', `remove rootfs of ${id}: ${(err as Error).message}`, { cause: err });
      }
    }
    // one rename takes the writable layer (and the lease in it) out at once; unlinking its files
    // costs milliseconds on a slow disk, so that happens in the background
    const gone = join(this.trash, `${id}.${Date.now().toString(36)}`);
    try {
      await mkdir(this.trash, { recursive: true, mode: 0o700 });
      await rename(dir, gone);
      void rm(gone, { recursive: true, force: true }).catch(() => undefined);
    } catch {
      await rm(dir, { recursive: true, force: true });
    }
    await this.metadata.removeContainer(id);
  }
}
