/**
 * The OCI image layout (image-spec image-layout.md), both ways:
 *   DIR/oci-layout   {"imageLayoutVersion": "1.0.0"}
 *   DIR/index.json   an index whose entries carry org.opencontainers.image.ref.name
 *   DIR/blobs/sha256/<hex>
 * Export writes a complete layout into a temporary sibling and renames it into
 * place, so DIR is whole or absent. Import validates every index, manifest and
 * config, and ingests every blob through the content store, which verifies it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  assertImageConfig, assertImageIndex, assertImageManifest, EngineError, verifyDigest, wrapError, type ImageIndex,
} from '@tsrun/oci-spec';
import { putBytes, putFile } from './blob-io.js';
import type { ContentStore } from './content-store.js';
import { tagOf } from './image-name.js';
import { walkImage } from './image-walk.js';
import { sha256Hex } from './local-content-store.js';
import { isIndexType, isManifestType, MediaType } from './media-types.js';
import type { Descriptor, ImageRecord, MetadataStore } from './metadata-store.js';
import { TMP_PREFIX } from './fs-atomic.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** Where containerd (and we) keep the full name beside the short ref name. */
export const IMAGE_NAME = 'io.containerd.image.name';

export interface ImportOptions {
  /** Import only the entry whose ref name (or full name) is this. */
  refName?: string;
  /** The repository for entries whose ref name is a bare tag (`latest` → `<repository>:latest`), as umoci and skopeo write them. */
  repository?: string;
}

/** Fails with already_exists unless `dir` is absent or an empty directory. */
export async function checkTarget(path: string, what: string): Promise<void> {
  const entries = await readdir(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new EngineError('already_exists', `${what}: ${path} exists and is not a directory`);
    throw wrapError(err, what);
  });
  if (entries.length > 0) throw new EngineError('already_exists', `${what}: ${path} is not empty`);
}

function entryFor(image: ImageRecord): Descriptor {
  const { mediaType, digest, size, platform } = image.target;
  const tag = tagOf(image.name);
  const annotations: Record<string, string> = { ...image.target.annotations, [IMAGE_NAME]: image.name };
  if (tag !== undefined) annotations[REF_NAME] = tag;
  return { mediaType, digest, size, ...(platform && { platform }), annotations };
}

/** Writes `images` (their index or manifest, and everything under it) as an OCI layout at `dir`. */
export async function exportOciLayout(content: ContentStore, images: readonly ImageRecord[], dir: string): Promise<void> {
  const what = `export ${images.map((i) => i.name).join(', ')} to ${dir}`;
  if (images.length === 0) throw new EngineError('invalid_argument', `export to ${dir}: no image named`);
  await checkTarget(dir, what);
  const tmp = join(dirname(dir), `${TMP_PREFIX}${basename(dir)}-${randomBytes(4).toString('hex')}`);
  try {
    const blobs = join(tmp, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const written = new Set<string>();
    for (const image of images) {
      const graph = await walkImage(content, image.target, `${what}: ${image.name}`);
      const gone = graph.missing[0];
      if (gone) throw new EngineError('failed_precondition', `${what}: ${image.name}: blob ${gone.digest} is not in the store`);
      for (const b of graph.blobs) {
        if (written.has(b.digest)) continue;
        await pipeline(await content.read(b.digest), createWriteStream(join(blobs, sha256Hex(b.digest)), { mode: 0o644 }));
        written.add(b.digest);
      }
    }
    const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: images.map(entryFor) };
    assertImageIndex(index, `${what}: index.json`);
    await writeFile(join(tmp, 'index.json'), JSON.stringify(index));
    await writeFile(join(tmp, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    // one syncfs(2) for the whole layout rather than an fsync per blob
    await promisify(execFile)('sync', ['-f', tmp]);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err instanceof EngineError ? err : wrapError(err, what);
  }
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw wrapError(err, `${what}: ${path}`, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'invalid_argument' : undefined);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EngineError('invalid_argument', `${what}: ${path}: not JSON: ${(err as Error).message}`);
  }
}

class LayoutReader {
  private readonly done = new Set<string>();
  constructor(readonly dir: string, readonly content: ContentStore, readonly what: string) {}

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', sha256Hex(digest));
  }

  private async json(d: Descriptor): Promise<{ bytes: Buffer; doc: unknown }> {
    const bytes = await readFile(this.blobPath(d.digest)).catch((err: unknown) => {
      throw wrapError(err, `${this.what}: blob ${d.digest}`, 'invalid_argument');
    });
    if (bytes.length !== d.size) throw new EngineError('invalid_argument', `${this.what}: blob ${d.digest}: size mismatch (got ${bytes.length} bytes, expected ${d.size})`);
    try {
      verifyDigest(bytes, d.digest);
      return { bytes, doc: JSON.parse(bytes.toString('utf8')) };
    } catch (err) {
      throw new EngineError('invalid_argument', `${this.what}: blob ${(err as Error).message}`);
    }
  }

  private async exists(d: Descriptor): Promise<boolean> {
    return access(this.blobPath(d.digest)).then(() => true, () => false);
  }

  /** Ingests `d` and what it references, children first, so a parent is never stored before its blobs. */
  async copy(d: Descriptor): Promise<void> {
    if (this.done.has(d.digest)) return;
    const what = `${this.what}: ${d.digest}`;
    if (isIndexType(d.mediaType)) {
      const { bytes, doc } = await this.json(d);
      assertImageIndex(doc, `${what}: index`);
      let copied = 0;
      for (const m of (doc as ImageIndex).manifests) {
        // an index may list platforms the layout does not carry
        if (!(await this.exists(m as Descriptor))) continue;
        await this.copy(m as Descriptor);
        copied += 1;
      }
      if (copied === 0) throw new EngineError('invalid_argument', `${what}: the layout holds none of the index's manifests`);
      await putBytes(this.content, bytes, what);
    } else if (isManifestType(d.mediaType)) {
      const { bytes, doc } = await this.json(d);
      assertImageManifest(doc, `${what}: manifest`);
      const config = await this.json(doc.config as Descriptor);
      assertImageConfig(config.doc, `${what}: config ${doc.config.digest}`);
      if (config.doc.rootfs.diff_ids.length !== doc.layers.length) {
        throw new EngineError('invalid_argument', `${what}: config ${doc.config.digest} lists ${config.doc.rootfs.diff_ids.length} diff IDs for ${doc.layers.length} layers`);
      }
      for (const l of doc.layers) await putFile(this.content, this.blobPath(l.digest), l, `${what}: layer ${l.digest}`);
      await putBytes(this.content, config.bytes, what);
      await putBytes(this.content, bytes, what);
    } else {
      throw new EngineError('invalid_argument', `${what}: media type ${d.mediaType} is neither an image manifest nor an index`);
    }
    this.done.add(d.digest);
  }
}

function nameOf(entry: Descriptor, opts: ImportOptions, what: string): string {
  const full = entry.annotations?.[IMAGE_NAME];
  if (full) return full;
  const ref = entry.annotations?.[REF_NAME];
  if (ref === undefined) throw new EngineError('invalid_argument', `${what}: index.json entry ${entry.digest} has no ${REF_NAME} annotation`);
  if (ref.includes('/')) return ref;
  if (!opts.repository) throw new EngineError('invalid_argument', `${what}: ref name ${JSON.stringify(ref)} is a bare tag: a repository is required to name it`);
  return `${opts.repository}:${ref}`;
}

/** Imports the images of the layout at `dir` (all, or the one `opts.refName` names) and names them. */
export async function importOciLayout(content: ContentStore, metadata: MetadataStore, dir: string, opts: ImportOptions = {}): Promise<ImageRecord[]> {
  const what = `import OCI layout ${dir}`;
  const layout = await readJsonFile(join(dir, 'oci-layout'), what) as { imageLayoutVersion?: unknown };
  if (typeof layout?.imageLayoutVersion !== 'string' || !layout.imageLayoutVersion.startsWith('1.')) {
    throw new EngineError('invalid_argument', `${what}: oci-layout: imageLayoutVersion ${JSON.stringify(layout?.imageLayoutVersion)} is not 1.x`);
  }
  const index = await readJsonFile(join(dir, 'index.json'), what);
  assertImageIndex(index, `${what}: index.json`);
  let entries = (index as ImageIndex).manifests as Descriptor[];
  if (opts.refName !== undefined) {
    entries = entries.filter((e) => e.annotations?.[REF_NAME] === opts.refName || e.annotations?.[IMAGE_NAME] === opts.refName);
    if (entries.length === 0) throw new EngineError('not_found', `${what}: no image with ref name ${JSON.stringify(opts.refName)}`);
  }
  if (entries.length === 0) throw new EngineError('invalid_argument', `${what}: index.json lists no image`);
  const named = entries.map((e) => ({ entry: e, name: nameOf(e, opts, what) }));
  const reader = new LayoutReader(dir, content, what);
  const out: ImageRecord[] = [];
  for (const { entry, name } of named) {
    await reader.copy(entry);
    const { mediaType, digest, size, platform } = entry;
    out.push(await metadata.putImage(name, { mediaType, digest, size, ...(platform && { platform }) }));
  }
  return out;
}
