/** The local image store under one root directory: content, metadata, snapshots and container root filesystems. */
import { LocalContentStore } from './local-content-store.js';
import { MetadataStore } from './metadata-store.js';
import { RootfsManager } from './rootfs.js';
import { Snapshotter } from './unpack/snapshotter.js';

export class LocalImageStore {
  private constructor(
    readonly root: string,
    readonly content: LocalContentStore,
    readonly metadata: MetadataStore,
    readonly snapshots: Snapshotter,
    readonly rootfs: RootfsManager,
  ) {}

  static async open(root: string): Promise<LocalImageStore> {
    const content = await LocalContentStore.open(root);
    const metadata = await MetadataStore.open(root);
    const snapshots = new Snapshotter(root, content);
    await snapshots.init();
    return new LocalImageStore(root, content, metadata, snapshots, new RootfsManager(root, content, metadata, snapshots));
  }
}
