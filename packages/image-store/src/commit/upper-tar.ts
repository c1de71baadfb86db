/**
 * A container's overlay upper directory as an OCI layer tar: overlay whiteouts (a
 * 0:0 character device `name`) become `.wh.name` entries and opaque directories
 * (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry; owners, modes, times,
 * hard links, symlinks, devices, fifos and xattrs (other than overlay's own) are
 * kept. Entries are sorted, so the same tree gives the same tar.
 *
 * Xattrs go into PAX records written here rather than by tar-stream, which encodes
 * PAX values as UTF-8 strings and would mangle binary values (security.capability):
 * the record block is pushed into the pack stream between two entries, when the
 * packer is idle (every entry is awaited before the next starts).
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Header, Pack } from 'tar-stream';

type Headers = Partial<Header> & { name: string };
import { EngineError } from '@tsrun/oci-spec';
import { readTreeXattrs } from './upper-xattrs.js';

const OVERLAY_PREFIX = 'trusted.overlay.';

/** One PAX record, "<len> <key>=<value>\n", where len counts its own digits. */
export function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  const digits = String(body.length).length;
  // 99 bytes + 2 digits = 101, which needs 3: one more digit then
  const len = String(body.length + digits).length > digits ? body.length + digits + 1 : body.length + digits;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | ((Math.floor(rdev / 2 ** 12)) & ~0xff & 0xfffff);
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, 'latin1');
}

/** A ustar header block of type 'x' (PAX extended header for the next entry) followed by the records and padding. */
export function paxBlock(records: Buffer, mtime: Date): Buffer {
  const block = Buffer.alloc(512);
  block.write('PaxHeader', 0, 'latin1');
  octal(block, 100, 8, 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, records.length);
  octal(block, 136, 12, Math.floor(mtime.getTime() / 1000));
  block.write('x', 156, 'latin1');
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const pad = (512 - (records.length % 512)) % 512;
  return Buffer.concat([block, records, Buffer.alloc(pad)]);
}

function addEntry(p: Pack, header: Headers, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (body) p.entry(header as Header, body, done);
    else p.entry(header as Header, done).end(Buffer.alloc(0));
  });
}

export interface UpperTarStats {
  entries: number;
  whiteouts: number;
  opaque: number;
}

/** Writes the tar of `upper` into `p` (and finalizes it). */
export async function writeUpperTar(upper: string, p: Pack, what: string): Promise<UpperTarStats> {
  const xattrs = await readTreeXattrs(upper, what);
  const links = new Map<string, string>();
  const stats: UpperTarStats = { entries: 0, whiteouts: 0, opaque: 0 };

  const emit = async (header: Headers, attrs: Map<string, Buffer> | undefined, file?: string): Promise<void> => {
    const kept = [...(attrs ?? [])].filter(([k]) => !k.startsWith(OVERLAY_PREFIX));
    if (kept.length > 0) {
      const records = Buffer.concat([
        paxRecord('path', Buffer.from(header.name)),
        ...(header.linkname ? [paxRecord('linkpath', Buffer.from(header.linkname))] : []),
        ...kept.map(([k, v]) => paxRecord(`SCHILY.xattr.${k}`, v)),
      ]);
      p.push(paxBlock(records, header.mtime ?? new Date(0)));
      // the PAX path wins; a short name keeps tar-stream from adding a PAX header of its own
      header = { ...header, name: header.name.slice(-99).replace(/^\/+/, ''), ...(header.linkname && { linkname: header.linkname.slice(-99) }) };
    }
    stats.entries += 1;
    if (file) await pipeline(createReadStream(file), p.entry(header as Header));
    else await addEntry(p, header);
  };

  const walk = async (dir: string, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const path = rel === '' ? name : posix.join(rel, name);
      const st = await lstat(abs);
      const attrs = xattrs.get(abs);
      for (const bad of ['redirect', 'metacopy']) {
        if (attrs?.has(`${OVERLAY_PREFIX}${bad}`)) {
          throw new EngineError('unimplemented', `${what}: ${path}: overlay ${bad} entries (redirect_dir/metacopy mounts) cannot be committed`);
        }
      }
      const base = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtime: st.mtime };
      if (st.isCharacterDevice() && st.rdev === 0) {
        stats.whiteouts += 1;
        await emit({ ...base, name: posix.join(rel, `.wh.${name}`), type: 'file', size: 0 }, undefined);
      } else if (st.isDirectory()) {
        await emit({ ...base, name: `${path}/`, type: 'directory' }, attrs);
        if (attrs?.get(`${OVERLAY_PREFIX}opaque`)?.toString() === 'y') {
          stats.opaque += 1;
          await emit({ ...base, mode: 0o644, name: posix.join(path, '.wh..wh..opq'), type: 'file', size: 0 }, undefined);
        }
        await walk(abs, path);
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          await emit({ ...base, name: path, type: 'link', linkname: first, size: 0 }, attrs);
        } else {
          if (st.nlink > 1) links.set(key, path);
          await emit({ ...base, name: path, type: 'file', size: st.size }, attrs, abs);
        }
      } else if (st.isSymbolicLink()) {
        await emit({ ...base, name: path, type: 'symlink', linkname: await readlink(abs) }, attrs);
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await emit({ ...base, name: path, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) }, attrs);
      } else if (st.isFIFO()) {
        await emit({ ...base, name: path, type: 'fifo' }, attrs);
      }
      // sockets are not carried in layers, as in docker commit
    }
  };

  await walk(upper, '');
  p.finalize();
  return stats;
}
