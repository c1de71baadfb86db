/**
 * Where a layer entry may land: inside its snapshot directory and nowhere else.
 * Names are made relative (a leading `/` is dropped), `.` and empty parts are
 * skipped, and a `..` that would climb above the snapshot is refused. Every
 * parent component is then checked with lstat: a symlinked parent is refused, so
 * no chain of symlinks written by the layer can lead a later entry outside.
 * The snapshot is a private temporary directory that only the applier writes,
 * so nothing changes between the check and the write.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';

/** The entry's path components inside the snapshot; throws for a `..` escape. */
export function entryComponents(name: string, what: string): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new EngineError('invalid_argument', `${what}: entry ${JSON.stringify(name)}: path escapes the layer root`);
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

export class SafeTree {
  /** Relative directory paths already checked to be real directories. */
  private readonly checked = new Set<string>();

  constructor(readonly root: string, private readonly what: string) {}

  /** Forgets checked directories: called when an entry replaced or removed something. */
  invalidate(): void {
    this.checked.clear();
  }

  /**
   * The absolute path for `parts` after making sure every parent is a real
   * directory inside the root (missing ones are created 0755, as tar does).
   */
  resolve(parts: readonly string[], entry: string, create = true): string {
    let rel = '';
    for (let i = 0; i < parts.length - 1; i += 1) {
      rel = rel === '' ? parts[i]! : `${rel}/${parts[i]}`;
      if (this.checked.has(rel)) continue;
      const abs = join(this.root, rel);
      let st;
      try {
        st = lstatSync(abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err;
        mkdirSync(abs, { mode: 0o755 });
        this.checked.add(rel);
        continue;
      }
      if (st.isSymbolicLink()) {
        throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: parent ${JSON.stringify(rel)} is a symlink`);
      }
      if (!st.isDirectory()) {
        throw new EngineError('invalid_argument', `${this.what}: entry ${JSON.stringify(entry)}: parent ${JSON.stringify(rel)} is not a directory`);
      }
      this.checked.add(rel);
    }
    return parts.length === 0 ? this.root : join(this.root, ...parts);
  }
}
