// Test images for the registry tests, written into a content store: a busybox
// layer (tar-stream over tools/busybox-rootfs.ts's rootfs, gzipped) and, on
// request, a layer holding one file of random (incompressible) bytes, so that
// transfers are long enough to interrupt and chunk.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ContentStore } from '../../packages/image-store/src/content-store.ts';
import { makeBusyboxRootfs } from '../../tools/busybox-rootfs.ts';

export interface Desc { mediaType: string; digest: string; size: number }
export interface TestImage { manifest: Desc; config: Desc; layers: Desc[]; blobs: Map<string, Buffer> }

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(entries: (p: ReturnType<typeof pack>) => void): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  entries(p);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

function addTree(p: ReturnType<typeof pack>, root: string, rel = ''): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    const common = { name: path, mode: st.mode & 0o7777, uid: 0, gid: 0, mtime: new Date(0) };
    if (st.isSymbolicLink()) p.entry({ ...common, type: 'symlink', linkname: readlinkSync(join(root, path)) });
    else if (st.isDirectory()) {
      p.entry({ ...common, type: 'directory' });
      addTree(p, root, path);
    } else if (st.isFile()) p.entry({ ...common, type: 'file' }, readFileSync(join(root, path)));
  }
}

export async function busyboxLayer(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-bb-'));
  try {
    makeBusyboxRootfs(dir);
    return gzipSync(await tarOf((p) => addTree(p, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function randomLayer(bytes: number): Promise<Buffer> {
  const data = randomBytes(bytes);
  return tarOf((p) => p.entry({ name: 'random.bin', mode: 0o644, mtime: new Date(0) }, data));
}

async function put(store: ContentStore, data: Buffer): Promise<void> {
  const ingest = await store.ingest(`test-${sha(data)}`, { digest: sha(data), size: data.length });
  if (ingest.offset === 0) await ingest.write(data);
  await ingest.commit();
}

/** An OCI image of the given layers (busybox first unless `layers` says otherwise), stored in `store`. */
export async function makeTestImage(
  store: ContentStore, layers: { data: Buffer; mediaType: string }[], opts: { docker?: boolean; architecture?: string } = {},
): Promise<TestImage> {
  const blobs = new Map<string, Buffer>();
  const types = opts.docker ? DOCKER_TYPES : OCI_TYPES;
  const layerDescs = layers.map((l) => ({
    mediaType: opts.docker ? (l.mediaType === GZIP_LAYER ? DOCKER_GZIP_LAYER : DOCKER_TAR_LAYER) : l.mediaType,
    digest: sha(l.data), size: l.data.length,
  }));
  const diffIds = layers.map((l) => sha(l.mediaType.endsWith('+gzip') ? gunzipSync(l.data) : l.data));
  const config = Buffer.from(JSON.stringify({
    architecture: opts.architecture ?? 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const configDesc = { mediaType: types.config, digest: sha(config), size: config.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: types.manifest, config: configDesc, layers: layerDescs }));
  for (const b of [config, manifest, ...layers.map((l) => l.data)]) {
    blobs.set(sha(b), b);
    await put(store, b);
  }
  return { manifest: { mediaType: types.manifest, digest: sha(manifest), size: manifest.length }, config: configDesc, layers: layerDescs, blobs };
}

/** An index (OCI, or a Docker manifest list) of images, one per platform, stored in `store`. */
export async function makeTestIndex(store: ContentStore, entries: { image: TestImage; architecture: string; variant?: string }[], opts: { docker?: boolean } = {}): Promise<Desc> {
  const mediaType = opts.docker ? DOCKER_TYPES.index : OCI_TYPES.index;
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType,
    manifests: entries.map((e) => ({ ...e.image.manifest, platform: { os: 'linux', architecture: e.architecture, ...(e.variant && { variant: e.variant }) } })),
  }));
  await put(store, index);
  return { mediaType, digest: sha(index), size: index.length };
}

const OCI_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json', config: 'application/vnd.oci.image.config.v1+json', index: 'application/vnd.oci.image.index.v1+json',
};
const DOCKER_TYPES = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json', config: 'application/vnd.docker.container.image.v1+json',
  index: 'application/vnd.docker.distribution.manifest.list.v2+json',
};
const DOCKER_GZIP_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const DOCKER_TAR_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

export const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const TAR_LAYER = 'application/vnd.oci.image.layer.v1.tar';
