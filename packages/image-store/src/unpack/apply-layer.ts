/**
 * Applies one layer's tar stream to an empty snapshot directory, as overlayfs
 * wants it: files, directories, symlinks and hard links with their owners, modes
 * (set after the owner, so setuid bits survive), times and xattrs; device nodes and
 * fifos; OCI whiteouts turned into overlay whiteouts (`.wh.name` → a 0:0 character
 * device `name`, `.wh..wh..opq` → trusted.overlay.opaque=y on its directory).
 * Also hashes the tar as it streams: its sha256 is the layer's DiffID.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, linkSync, lchownSync, lstatSync, lutimesSync,
  mkdirSync, openSync, rmSync, symlinkSync, writeSync, type Stats,
} from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, type Header as Headers } from 'tar-stream';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import { capturePax, xattrsOfPax } from './pax-xattrs.js';
import { entryComponents, SafeTree } from './safe-path.js';
import { makeNodes, setXattrs, type SpecialNode } from './special-files.js';

export interface ApplyResult {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
  entries: number;
}

interface Meta {
  uid: number;
  gid: number;
  mode: number;
  mtime: Date;
}

/** A tar entry's contents (a streamx Readable). */
type EntryBody = AsyncIterable<unknown> & { resume(): unknown };

interface PendingNode extends SpecialNode, Meta {
  parts: string[];
  entry: string;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function metaOf(h: Headers): Meta {
  return { uid: h.uid ?? 0, gid: h.gid ?? 0, mode: (h.mode ?? 0o644) & 0o7777, mtime: h.mtime ?? new Date(0) };
}

class LayerApplier {
  readonly tree: SafeTree;
  private readonly nodes = new Map<string, PendingNode>();
  private readonly xattrs = new Map<string, { parts: string[]; entry: string; xattrs: Map<string, Buffer> }>();
  private readonly dirTimes = new Map<string, Date>();
  entries = 0;

  constructor(readonly root: string, readonly what: string) {
    this.tree = new SafeTree(root, what);
  }

  /** Clears whatever is at `abs` so an entry can take its place; a directory stays when a directory replaces it. */
  private clear(abs: string, keepDir: boolean): Stats | undefined {
    const st = lstatOrUndefined(abs);
    if (!st || (keepDir && st.isDirectory())) return st;
    rmSync(abs, { recursive: true, force: true });
    this.tree.invalidate();
    this.nodes.delete(abs);
    return undefined;
  }

  async apply(h: Headers, body: EntryBody, pax: Map<string, Buffer> | undefined): Promise<void> {
    this.entries += 1;
    const entry = h.name;
    const parts = entryComponents(entry, this.what);
    const base = parts[parts.length - 1];
    if (base !== undefined && base.startsWith(WHITEOUT)) {
      body.resume();
      this.whiteout(parts, base, entry, h);
      return;
    }
    const abs = this.tree.resolve(parts, entry);
    const meta = metaOf(h);
    switch (h.type) {
      case 'directory': {
        if (!this.clear(abs, true)) mkdirSync(abs, { mode: 0o700 });
        lchownSync(abs, meta.uid, meta.gid);
        chmodSync(abs, meta.mode);
        this.dirTimes.set(abs, meta.mtime);
        body.resume();
        break;
      }
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined: {
        if (parts.length === 0) throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: a file cannot replace the layer root`);
        this.clear(abs, false);
        const fd = openSync(abs, CREATE_FLAGS, 0o600);
        try {
          for await (const chunk of body) writeSync(fd, chunk as Buffer);
          fchownSync(fd, meta.uid, meta.gid);
          fchmodSync(fd, meta.mode);
          futimesSync(fd, meta.mtime, meta.mtime);
        } finally {
          closeSync(fd);
        }
        break;
      }
      case 'symlink': {
        this.clear(abs, false);
        symlinkSync(h.linkname ?? '', abs);
        lchownSync(abs, meta.uid, meta.gid);
        lutimesSync(abs, meta.mtime, meta.mtime);
        body.resume();
        break;
      }
      case 'link': {
        body.resume();
        this.hardLink(abs, entry, h.linkname ?? '');
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        this.clear(abs, false);
        const kind = h.type === 'fifo' ? 'p' : h.type === 'block-device' ? 'b' : 'c';
        this.nodes.set(abs, { path: abs, kind, major: h.devmajor ?? 0, minor: h.devminor ?? 0, parts, entry, ...meta });
        body.resume();
        break;
      }
      default:
        body.resume();
        throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: unsupported tar entry type ${String(h.type)}`);
    }
    const xattrs = pax && xattrsOfPax(pax);
    if (xattrs && xattrs.size > 0) this.xattrs.set(parts.join('/'), { parts, entry, xattrs });
  }

  private whiteout(parts: string[], base: string, entry: string, h: Headers): void {
    const dirParts = parts.slice(0, -1);
    if (base === OPAQUE) {
      const dir = this.tree.resolve([...dirParts, OPAQUE], entry).slice(0, -OPAQUE.length - 1);
      if (dirParts.length > 0) {
        const st = this.clear(dir, true);
        if (!st) mkdirSync(dir, { mode: 0o755 });
      }
      const rel = dirParts.join('/');
      const prev = this.xattrs.get(rel)?.xattrs ?? new Map<string, Buffer>();
      prev.set('trusted.overlay.opaque', Buffer.from('y'));
      this.xattrs.set(rel, { parts: dirParts, entry, xattrs: prev });
      return;
    }
    const name = base.slice(WHITEOUT.length);
    if (name === '' || name === '.' || name === '..') {
      throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: whiteout names no file`);
    }
    const target = [...dirParts, name];
    const abs = this.tree.resolve(target, entry);
    this.clear(abs, false);
    this.nodes.set(abs, { path: abs, kind: 'c', major: 0, minor: 0, parts: target, entry, uid: 0, gid: 0, mode: 0, mtime: h.mtime ?? new Date(0) });
  }

  private hardLink(abs: string, entry: string, linkname: string): void {
    const targetParts = entryComponents(linkname, `${this.what}: entry ${JSON.stringify(entry)}: hard link target`);
    let target: string;
    let st: Stats | undefined;
    try {
      target = this.tree.resolve(targetParts, entry, false);
      st = lstatOrUndefined(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!st || targetParts.length === 0) {
      throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: hard link target ${JSON.stringify(linkname)} is not in the layer`);
    }
    if (st.isDirectory()) throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: hard link to directory ${JSON.stringify(linkname)}`);
    if (target! === abs) return;
    this.clear(abs, false);
    linkSync(target!, abs);
  }

  /** Device nodes, then their owners and modes, then xattrs, then directory times (writes inside a dir change them). */
  async finish(): Promise<void> {
    this.tree.invalidate();
    const nodes = [...this.nodes.values()];
    for (const n of nodes) this.tree.resolve(n.parts, n.entry, false);
    await makeNodes(nodes, this.what);
    for (const n of nodes) {
      lchownSync(n.path, n.uid, n.gid);
      chmodSync(n.path, n.mode);
      lutimesSync(n.path, n.mtime, n.mtime);
    }
    const sets = [...this.xattrs.entries()].map(([rel, x]) => {
      this.tree.resolve(x.parts, x.entry, false);
      return { rel, xattrs: x.xattrs };
    });
    await setXattrs(this.root, sets, this.what);
    const dirs = [...this.dirTimes.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [dir, mtime] of dirs) lutimesSync(dir, mtime, mtime);
  }
}

/** Applies the tar stream `tar` into the existing, empty directory `dest`. `what` prefixes every error. */
export async function applyLayer(tar: Readable, dest: string, what: string): Promise<ApplyResult> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const extract = tarExtract();
  const pax = capturePax(extract);
  const applier = new LayerApplier(dest, what);
  let failure: unknown;
  extract.on('entry', (header, body, next) => {
    const raw = pax.take();
    applier.apply(header, body, raw).then(() => next(), (err: unknown) => {
      failure ??= err;
      body.resume();
      next(err as Error);
    });
  });
  try {
    await pipeline(tar, tap, extract);
  } catch (err) {
    throw failure instanceof EngineError ? failure : wrapError(failure ?? err, `${what}: unpack`);
  }
  await applier.finish();
  return { diffId: `sha256:${hash.digest('hex')}`, size, entries: applier.entries };
}
