import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { wrapError } from '@tsrun/oci-spec/errors';

/** Writes a file so that readers see the old or the new content, never a part (tmp + rename in the same directory). */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created or is already renamed
    }
    throw wrapError(err, `write ${path}`);
  }
}

/** Compact: these are read by programs (the C shim parses a plan three times per container), and indented JSON is twice the bytes. */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o600): void {
  writeFileAtomic(path, `${JSON.stringify(value)}\n`, mode);
}
