/**
 * Extended attributes from PAX records (`SCHILY.xattr.<name>` as GNU tar, Go's
 * archive/tar and so Docker write them, raw bytes; `LIBARCHIVE.xattr.<name>`,
 * base64). tar-stream decodes PAX values as UTF-8, which mangles binary values
 * such as security.capability, so the raw record block is captured on its way
 * through the parser and decoded here byte for byte.
 */
import type { Extract } from 'tar-stream';

export type Xattrs = Map<string, Buffer>;

/** Parses a PAX extended header block ("<len> <key>=<value>\n"...) keeping values as bytes. */
export function parsePaxRecords(block: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < block.length) {
    const space = block.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(block.toString('latin1', pos, space), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > block.length) break;
    const record = block.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq > 0) out.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

export function xattrsOfPax(records: Map<string, Buffer>): Xattrs {
  const out: Xattrs = new Map();
  for (const [key, value] of records) {
    if (key.startsWith('SCHILY.xattr.')) out.set(key.slice('SCHILY.xattr.'.length), value);
    else if (key.startsWith('LIBARCHIVE.xattr.')) {
      out.set(decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length)), Buffer.from(value.toString('latin1'), 'base64'));
    }
  }
  return out;
}

type LongHeaderHook = { _decodeLongHeader?: (this: LongHeaderHook, buf: Buffer) => void; _header?: { type?: string } };

/**
 * Hooks an extractor so that `take()` returns the raw PAX records of the entry
 * just emitted. Relies on tar-stream 3's internal `_decodeLongHeader`; the
 * binary-xattr unit test fails if a tar-stream upgrade changes it.
 */
export function capturePax(extract: Extract): { take(): Map<string, Buffer> | undefined } {
  const ex = extract as unknown as LongHeaderHook;
  const original = ex._decodeLongHeader;
  let pending: Map<string, Buffer> | undefined;
  let global: Map<string, Buffer> | undefined;
  if (typeof original === 'function') {
    ex._decodeLongHeader = function (this: LongHeaderHook, buf: Buffer): void {
      const type = this._header?.type;
      if (type === 'pax-header') pending = new Map([...(global ?? []), ...parsePaxRecords(buf)]);
      else if (type === 'pax-global-header') global = parsePaxRecords(buf);
      original.call(this, buf);
    };
  }
  return {
    take() {
      const out = pending ?? global;
      pending = undefined;
      return out;
    },
  };
}
