/**
 * Reading the CRI-format log files the shim writes (`<RFC 3339 nano> <stream>
 * <F|P> <content>`, rotated to .1, .2, ...): records in order across the
 * rotated files, partial records joined to their line, tail/since/until, and
 * follow (new records as they are appended, across rotations).
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface LogRecord {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds */
  time: string;
  data: Buffer;
}

export interface LogQuery {
  /** last N records; negative or undefined: all */
  tail?: number;
  /** unix nanoseconds (as bigint) bounds */
  since?: bigint;
  until?: bigint;
  stdout?: boolean;
  stderr?: boolean;
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to 9 fraction digits; null when it is not one. */
export function timeNanos(time: string): bigint | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Splits a chunk of log text into records; the last unterminated line is returned as the rest. */
export class CriParser {
  #rest: Buffer = Buffer.alloc(0);
  #partial = new Map<string, Buffer[]>();

  push(chunk: Buffer): LogRecord[] {
    const buf = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    const out: LogRecord[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      const rec = this.#line(buf.subarray(start, nl));
      if (rec) out.push(rec);
      start = nl + 1;
    }
    this.#rest = Buffer.from(buf.subarray(start));
    return out;
  }

  #line(line: Buffer): LogRecord | null {
    const s1 = line.indexOf(0x20);
    const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
    const s3 = s2 < 0 ? -1 : line.indexOf(0x20, s2 + 1);
    if (s3 < 0) return null;
    const time = line.subarray(0, s1).toString();
    const stream = line.subarray(s1 + 1, s2).toString();
    const tag = line.subarray(s2 + 1, s3).toString();
    if (stream !== 'stdout' && stream !== 'stderr') return null;
    const content = line.subarray(s3 + 1);
    const parts = this.#partial.get(stream) ?? [];
    if (tag.startsWith('P')) {
      parts.push(Buffer.from(content));
      this.#partial.set(stream, parts);
      return null;
    }
    this.#partial.delete(stream);
    return { stream, time, data: Buffer.concat([...parts, content, Buffer.from('\n')]) };
  }
}

/** The log files oldest first: FILE.N ... FILE.1, FILE. */
async function logFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : -1))
    .filter((n) => n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${path}.${n}`);
  return names.includes(base) ? [...rotated, path] : rotated;
}

function wanted(r: LogRecord, q: LogQuery): boolean {
  if (r.stream === 'stdout' && q.stdout === false) return false;
  if (r.stream === 'stderr' && q.stderr === false) return false;
  if (q.since === undefined && q.until === undefined) return true;
  const t = timeNanos(r.time);
  if (t === null) return true;
  return (q.since === undefined || t >= q.since) && (q.until === undefined || t <= q.until);
}

/** Every record now in the log (rotated files included) that the query wants. */
export async function readLog(path: string, q: LogQuery = {}): Promise<{ records: LogRecord[]; offset: number }> {
  const parser = new CriParser();
  let records: LogRecord[] = [];
  let offset = 0;
  for (const file of await logFiles(path)) {
    let data: Buffer;
    try {
      const fh = await open(file, 'r');
      try {
        data = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch {
      continue;
    }
    if (file === path) offset = data.length;
    for (const r of parser.push(data)) if (wanted(r, q)) records.push(r);
  }
  if (q.tail !== undefined && q.tail >= 0) records = q.tail === 0 ? [] : records.slice(-q.tail);
  return { records, offset };
}

/**
 * Follows the live file from `offset`: calls `emit` for each new record until
 * `done()` says the writer has finished and the file is drained, or `signal` aborts.
 */
export async function followLog(
  path: string, offset: number, q: LogQuery, emit: (r: LogRecord) => void, done: () => boolean, signal: AbortSignal,
): Promise<void> {
  const parser = new CriParser();
  let fh: FileHandle | undefined;
  let ino = -1;
  let pos = offset;
  let wake: (() => void) | undefined;
  const watcher = watch(dirname(path), { persistent: false }, () => wake?.());
  watcher.on('error', () => undefined);
  // each nap removes its abort listener, or a long follow piles one up every 250 ms
  const nap = (ms: number): Promise<void> => new Promise((resolve) => {
    const end = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', end);
      wake = undefined;
      resolve();
    };
    const t = setTimeout(end, ms);
    wake = end;
    signal.addEventListener('abort', end, { once: true });
  });
  try {
    while (!signal.aborted) {
      let st;
      try {
        st = await stat(path);
      } catch {
        st = undefined;
      }
      if (st && st.ino !== ino) {
        // rotated: what was written to the old file after our last read is in FILE.1 now
        if (fh) {
          const buf = Buffer.alloc(1 << 16);
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            if (bytesRead === 0) break;
            pos += bytesRead;
            for (const r of parser.push(buf.subarray(0, bytesRead))) if (wanted(r, q)) emit(r);
          }
          await fh.close();
          pos = 0;
        }
        fh = await open(path, 'r');
        if (ino === -1 && pos > 0) {
          // readLog stopped at `offset` possibly inside a line or after P records of an unfinished one:
          // parse up to there again (records discarded) so that line is completed rather than lost
          const head = Buffer.alloc(pos);
          const { bytesRead } = await fh.read(head, 0, pos, 0);
          parser.push(head.subarray(0, bytesRead));
        }
        ino = st.ino;
      }
      // asked before reading: what the writer wrote just before it finished is still read this round
      const finished = done();
      let read = 0;
      if (fh) {
        const buf = Buffer.alloc(1 << 16);
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          read += bytesRead;
          pos += bytesRead;
          for (const r of parser.push(buf.subarray(0, bytesRead))) if (wanted(r, q)) emit(r);
        }
      }
      if (read === 0) {
        if (finished) break;
        await nap(250);
      }
    }
  } finally {
    watcher.close();
    await fh?.close();
  }
}
