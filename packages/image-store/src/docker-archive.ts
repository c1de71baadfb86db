/**
 * The `docker save` tarball, both ways:
 *   manifest.json   [{ "Config": "<hex>.json", "RepoTags": ["repo:tag"], "Layers": ["<diffID hex>/layer.tar", …] }]
 *   repositories    { "repo": { "tag": "<top layer dir>" } }
 *   <hex>.json      the image config
 *   <dir>/layer.tar an uncompressed layer (Docker also loads gzip and zstd ones, and so do we)
 * Export writes the archive to a temporary sibling and renames it into place.
 * Import reads the (seekable) file twice: once for manifest.json, the configs and
 * small layers, once more streaming the large layers into verified ingests; it builds an OCI manifest for each image, as `docker load` builds its own.
 */
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { assertImageConfig, assertImageManifest, EngineError, wrapError } from '@tsrun/oci-spec';
import { ingestFrom, putBytes } from './blob-io.js';
import type { ContentStore } from './content-store.js';
import { fsyncDir, tmpSiblingOf } from './fs-atomic.js';
import { repositoryOf, tagOf } from './image-name.js';
import { resolveImage, type Platform } from './image-reader.js';
import { sha256Hex } from './local-content-store.js';
import { MediaType } from './media-types.js';
import type { Descriptor, ImageRecord, MetadataStore } from './metadata-store.js';
import { compressionOfMagic, openLayerTar } from './unpack/decompress.js';

interface ArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** Bytes kept in memory from the first pass; larger layers are streamed in the second. */
const SMALL = 1 << 20;

async function decompressToFile(content: ContentStore, layer: Descriptor, diffId: string, path: string, what: string): Promise<number> {
  const { tar } = await openLayerTar(await content.read(layer.digest), layer.mediaType);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); size += chunk.length; done(null, chunk); } });
  await pipeline(tar, tap, createWriteStream(path));
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw new EngineError('failed_precondition', `${what}: layer ${layer.digest}: diff ID mismatch: the config says ${diffId} (got ${got})`);
  return size;
}

function addEntry(p: ReturnType<typeof tarPack>, name: string, body: Buffer | string, mode = 0o644): Promise<void> {
  return new Promise((resolve, reject) => {
    p.entry({ name, mode, mtime: new Date(0) }, body, (err) => (err ? reject(err) : resolve()));
  });
}

async function addFileEntry(p: ReturnType<typeof tarPack>, name: string, path: string, size: number): Promise<void> {
  await pipeline(createReadStream(path), p.entry({ name, size, mode: 0o644, mtime: new Date(0) }));
}

/** Writes `images` as a `docker save` tarball at `file` (the platform's manifest of an index). */
export async function exportDockerArchive(content: ContentStore, images: readonly ImageRecord[], file: string, platform?: Platform): Promise<void> {
  const what = `export ${images.map((i) => i.name).join(', ')} to ${file}`;
  if (images.length === 0) throw new EngineError('invalid_argument', `export to ${file}: no image named`);
  if (await stat(file).then(() => true, () => false)) throw new EngineError('already_exists', `${what}: ${file} exists`);
  const tmp = tmpSiblingOf(file);
  const spool = await mkdtemp(join(dirname(file), '.tmp-layers-'));
  try {
    const p = tarPack();
    const out = pipeline(p, createWriteStream(tmp, { mode: 0o644 }));
    out.catch(() => {});
    const byConfig = new Map<string, ArchiveEntry>();
    const layersWritten = new Set<string>();
    const repositories: Record<string, Record<string, string>> = {};
    for (const image of images) {
      const resolved = await resolveImage(content, image.target, `${what}: ${image.name}`, platform);
      const configHex = sha256Hex(resolved.manifest.config.digest);
      let entry = byConfig.get(configHex);
      if (!entry) {
        // the config as stored, byte for byte: its digest is the image ID
        await addEntry(p, `${configHex}.json`, await readRaw(content, resolved.manifest.config.digest));
        const layers: string[] = [];
        for (const [i, layer] of resolved.manifest.layers.entries()) {
          const diffId = resolved.config.rootfs.diff_ids[i]!;
          const dir = sha256Hex(diffId);
          if (!layersWritten.has(dir)) {
            const path = join(spool, dir);
            const size = await decompressToFile(content, layer as Descriptor, diffId, path, what);
            await addEntry(p, `${dir}/VERSION`, '1.0');
            await addFileEntry(p, `${dir}/layer.tar`, path, size);
            await rm(path, { force: true });
            layersWritten.add(dir);
          }
          layers.push(`${dir}/layer.tar`);
        }
        entry = { Config: `${configHex}.json`, RepoTags: [], Layers: layers };
        byConfig.set(configHex, entry);
      }
      const tag = tagOf(image.name);
      if (tag !== undefined) {
        entry.RepoTags!.push(image.name);
        const top = entry.Layers.at(-1);
        if (top) (repositories[repositoryOf(image.name)] ??= {})[tag] = posix.dirname(top);
      }
    }
    await addEntry(p, 'manifest.json', JSON.stringify([...byConfig.values()]));
    await addEntry(p, 'repositories', JSON.stringify(repositories));
    p.finalize();
    await out;
    const fh = await open(tmp, 'r');
    await fh.sync().finally(() => fh.close());
    await rename(tmp, file);
    await fsyncDir(dirname(file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err instanceof EngineError ? err : wrapError(err, what);
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

async function readRaw(content: ContentStore, digest: string): Promise<Buffer> {
  return buffer(await content.read(digest));
}

/** `./a/../b` and `/b` → `b`, as tar writers spell the same member differently. */
function memberName(name: string): string {
  return posix.normalize(name.replace(/^\/+/, '')).replace(/^\.\//, '').replace(/\/$/, '');
}

interface Scan {
  small: Map<string, Buffer>;
  links: Map<string, string>;
  sizes: Map<string, number>;
}

async function scanArchive(file: string, keep: (name: string, size: number) => boolean): Promise<Scan> {
  const scan: Scan = { small: new Map(), links: new Map(), sizes: new Map() };
  const ex = tarExtract();
  const feed = pipeline(createReadStream(file), ex);
  for await (const entry of ex) {
    const name = memberName(entry.header.name);
    if ((entry.header.type === 'symlink' || entry.header.type === 'link') && entry.header.linkname) {
      const target = entry.header.type === 'symlink' ? posix.join(posix.dirname(name), entry.header.linkname) : entry.header.linkname;
      scan.links.set(name, memberName(target));
    }
    if (entry.header.type === 'file') scan.sizes.set(name, entry.header.size ?? 0);
    if (entry.header.type === 'file' && keep(name, entry.header.size ?? 0)) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      scan.small.set(name, Buffer.concat(chunks));
    } else {
      entry.resume();
    }
  }
  await feed;
  return scan;
}

function resolveMember(scan: Scan, name: string, what: string): string {
  let current = memberName(name);
  for (let hops = 0; scan.links.has(current); hops += 1) {
    if (hops > 16) throw new EngineError('invalid_argument', `${what}: ${name}: too many links`);
    current = scan.links.get(current)!;
  }
  if (!scan.sizes.has(current)) throw new EngineError('invalid_argument', `${what}: ${name} is not in the archive`);
  return current;
}

/** Drops the first `n` bytes of a stream (an ingest that resumes past them). */
async function* skip(source: AsyncIterable<unknown>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of source) {
    const chunk = c as Buffer;
    if (left >= chunk.length) { left -= chunk.length; continue; }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

export interface DockerImportOptions {
  /** Turns a RepoTag (`busybox:latest`) into the store's canonical name; as given by default. */
  normalizeName?: (repoTag: string) => string;
  /** Where compressed layers are spooled to learn their digest; the OS temp dir by default. */
  tmpDir?: string;
}

interface LayerPlan { member: string; diffId: string; desc?: Descriptor }

/** Imports every tagged image of a `docker save` tarball. */
export async function importDockerArchive(content: ContentStore, metadata: MetadataStore, file: string, opts: DockerImportOptions = {}): Promise<ImageRecord[]> {
  const what = `import docker archive ${file}`;
  const scan = await scanArchive(file, (name, size) => name === 'manifest.json' || size <= SMALL).catch((err: unknown) => {
    throw err instanceof EngineError ? err : wrapError(err, what, 'invalid_argument');
  });
  const manifestBytes = scan.small.get('manifest.json');
  if (!manifestBytes) throw new EngineError('invalid_argument', `${what}: no manifest.json (not a docker save archive)`);
  let entries: ArchiveEntry[];
  try {
    entries = JSON.parse(manifestBytes.toString('utf8')) as ArchiveEntry[];
    if (!Array.isArray(entries) || entries.some((e) => typeof e?.Config !== 'string' || !Array.isArray(e.Layers))) throw new Error('must be an array of { Config, Layers }');
  } catch (err) {
    throw new EngineError('invalid_argument', `${what}: manifest.json: ${(err as Error).message}`);
  }
  const layers = new Map<string, LayerPlan>();
  const images: { names: string[]; config: Buffer; plans: LayerPlan[] }[] = [];
  for (const [i, e] of entries.entries()) {
    const at = `${what}: manifest.json[${i}]`;
    const config = scan.small.get(resolveMember(scan, e.Config, at));
    if (!config) throw new EngineError('invalid_argument', `${at}: config ${e.Config} is larger than ${SMALL} bytes`);
    let doc: unknown;
    try { doc = JSON.parse(config.toString('utf8')); } catch (err) { throw new EngineError('invalid_argument', `${at}: ${e.Config}: not JSON: ${(err as Error).message}`); }
    assertImageConfig(doc, `${at}: ${e.Config}`);
    if (doc.rootfs.diff_ids.length !== e.Layers.length) {
      throw new EngineError('invalid_argument', `${at}: ${e.Config} lists ${doc.rootfs.diff_ids.length} diff IDs for ${e.Layers.length} layers`);
    }
    const plans = e.Layers.map((l, j) => {
      const member = resolveMember(scan, l, at);
      const diffId = doc.rootfs.diff_ids[j]!;
      const known = layers.get(member);
      if (known && known.diffId !== diffId) throw new EngineError('invalid_argument', `${at}: ${l} is given two diff IDs, ${known.diffId} and ${diffId}`);
      const plan = known ?? { member, diffId };
      layers.set(member, plan);
      return plan;
    });
    const names = (e.RepoTags ?? []).map((t) => (opts.normalizeName ? opts.normalizeName(t) : t));
    if (names.length === 0) throw new EngineError('invalid_argument', `${at}: no RepoTags: an untagged image cannot be named`);
    images.push({ names, config, plans });
  }
  const spool = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'tsrun-load-'));
  try {
    for (const plan of layers.values()) {
      const bytes = scan.small.get(plan.member);
      if (bytes) plan.desc = await ingestLayer(content, plan, Readable.from([bytes]), bytes.length, spool, what);
    }
    const large = [...layers.values()].filter((p) => !p.desc);
    if (large.length > 0) {
      const byMember = new Map(large.map((p) => [p.member, p]));
      const ex = tarExtract();
      const feed = pipeline(createReadStream(file), ex);
      for await (const entry of ex) {
        const plan = byMember.get(memberName(entry.header.name));
        if (plan && entry.header.type === 'file' && !plan.desc) plan.desc = await ingestLayer(content, plan, entry, entry.header.size ?? 0, spool, what);
        else entry.resume();
      }
      await feed;
    }
    const out: ImageRecord[] = [];
    for (const image of images) {
      const cfg = await putBytes(content, image.config, what);
      const manifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: cfg.digest, size: cfg.size },
        layers: image.plans.map((p) => p.desc!),
      };
      assertImageManifest(manifest, `${what}: manifest`);
      const m = await putBytes(content, Buffer.from(JSON.stringify(manifest)), what);
      for (const name of image.names) out.push(await metadata.putImage(name, { mediaType: MediaType.ociManifest, digest: m.digest, size: m.size }));
    }
    return out;
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/**
 * An uncompressed layer goes straight into an ingest that expects its diff ID
 * (the ingest verifies it); a compressed one is spooled to learn its digest, and
 * its diff ID checked by decompressing the spooled copy.
 */
async function ingestLayer(content: ContentStore, plan: LayerPlan, body: AsyncIterable<unknown>, size: number, spool: string, what: string): Promise<Descriptor> {
  const at = `${what}: layer ${plan.member}`;
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value as Buffer;
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer;
  }
  const compression = compressionOfMagic(head);
  if (compression === 'none') {
    const source = all();
    await ingestFrom(content, { digest: plan.diffId, size }, (offset) => Readable.from(skip(source, offset)), at);
    for await (const _ of source) { /* drained: the blob was already stored */ }
    return { mediaType: MediaType.ociLayer, digest: plan.diffId, size };
  }
  const path = join(spool, createHash('sha256').update(plan.member).digest('hex'));
  const hash = createHash('sha256');
  const tap = new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); done(null, chunk); } });
  await pipeline(Readable.from(all()), tap, createWriteStream(path));
  const digest = `sha256:${hash.digest('hex')}`;
  const mediaType = compression === 'gzip' ? MediaType.ociLayerGzip : MediaType.ociLayerZstd;
  const { tar } = await openLayerTar(createReadStream(path), mediaType);
  const diff = createHash('sha256');
  for await (const c of tar) diff.update(c as Buffer);
  const got = `sha256:${diff.digest('hex')}`;
  if (got !== plan.diffId) throw new EngineError('invalid_argument', `${at}: diff ID mismatch: the config says ${plan.diffId} (got ${got})`);
  await ingestFrom(content, { digest, size }, (offset) => createReadStream(path, { start: offset }), at);
  await rm(path, { force: true });
  return { mediaType, digest, size };
}
