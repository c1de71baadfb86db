import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CriParser, followLog, readLog, timeNanos, type LogRecord } from './cri-log.js';

const T = (s: number): string => `2024-05-01T12:00:${String(s).padStart(2, '0')}.000000000Z`;
const line = (s: number, stream: 'stdout' | 'stderr', text: string, tag = 'F'): string => `${T(s)} ${stream} ${tag} ${text}\n`;
const show = (records: LogRecord[]): string[] => records.map((r) => `${r.stream}:${r.data.toString()}`);

describe('timeNanos', () => {
  it('reads RFC 3339 with nanoseconds, fewer fraction digits, none, and offsets', () => {
    expect(timeNanos('1970-01-01T00:00:01.000000001Z')).toBe(1_000_000_001n);
    expect(timeNanos('1970-01-01T00:00:01.5Z')).toBe(1_500_000_000n);
    expect(timeNanos('1970-01-01T00:00:01Z')).toBe(1_000_000_000n);
    expect(timeNanos('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(timeNanos('1969-12-31T23:00:00.25-01:00')).toBe(250_000_000n);
    expect(timeNanos('2024-05-01T12:00:00.123456789Z')).toBe(BigInt(Date.UTC(2024, 4, 1, 12)) * 1_000_000n + 123_456_789n);
  });

  it('is null for anything else', () => {
    for (const bad of ['', 'yesterday', '2024-05-01 12:00:00Z', '2024-05-01T12:00:00', '2024-05-01T12:00:00.1234567890Z', '2024-13-45T99:00:00Z']) {
      expect(timeNanos(bad)).toBeNull();
    }
  });
});

describe('CriParser', () => {
  it('joins P records into one line per stream, interleaved streams kept apart', () => {
    const p = new CriParser();
    const text = line(1, 'stdout', 'hel', 'P') + line(2, 'stderr', 'err', 'P') + line(3, 'stdout', 'lo') + line(4, 'stderr', 'or') + line(5, 'stdout', 'next');
    const got = p.push(Buffer.from(text));
    expect(show(got)).toEqual(['stdout:hello\n', 'stderr:error\n', 'stdout:next\n']);
    expect(got.map((r) => r.time)).toEqual([T(3), T(4), T(5)]);
  });

  it('gives the same records whatever the chunks are split at', () => {
    const text = Buffer.from(line(1, 'stdout', 'one two', 'P') + line(2, 'stdout', ' three') + line(3, 'stderr', 'x y z') + line(4, 'stdout', ''));
    const whole = show(new CriParser().push(text));
    expect(whole).toEqual(['stdout:one two three\n', 'stderr:x y z\n', 'stdout:\n']);
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new CriParser();
      expect(show([...p.push(text.subarray(0, cut)), ...p.push(text.subarray(cut))])).toEqual(whole);
    }
    const p = new CriParser();
    const bytes: LogRecord[] = [];
    for (let i = 0; i < text.length; i++) bytes.push(...p.push(text.subarray(i, i + 1)));
    expect(show(bytes)).toEqual(whole);
  });

  it('keeps an unterminated line until its newline comes', () => {
    const p = new CriParser();
    expect(p.push(Buffer.from(`${T(1)} stdout F no newline yet`))).toEqual([]);
    expect(show(p.push(Buffer.from('!\n')))).toEqual(['stdout:no newline yet!\n']);
  });

  it('ignores lines that are not records', () => {
    const p = new CriParser();
    const text = 'garbage\n\nsome words here\n' + `${T(1)} stdin F nope\n` + `${T(2)} stdout\n` + line(3, 'stdout', 'kept');
    expect(show(p.push(Buffer.from(text)))).toEqual(['stdout:kept\n']);
  });
});

describe('reading log files', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
    file = join(dir, 'container.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('readLog', () => {
    beforeEach(() => {
      writeFileSync(`${file}.2`, line(1, 'stdout', 'one') + line(2, 'stderr', 'two'));
      writeFileSync(`${file}.1`, line(3, 'stdout', 'thr', 'P'));
      writeFileSync(file, line(4, 'stdout', 'ee') + line(5, 'stderr', 'four') + line(6, 'stdout', 'five'));
      writeFileSync(`${file}.old`, line(0, 'stdout', 'not a rotation'));
    });

    it('reads FILE.2, FILE.1 then FILE, joining a line split across files', async () => {
      const { records, offset } = await readLog(file);
      expect(show(records)).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n', 'stderr:four\n', 'stdout:five\n']);
      expect(offset).toBe(Buffer.byteLength(line(4, 'stdout', 'ee') + line(5, 'stderr', 'four') + line(6, 'stdout', 'five')));
    });

    it('tails: none, the last N, all when N is more than there are', async () => {
      expect((await readLog(file, { tail: 0 })).records).toEqual([]);
      expect(show((await readLog(file, { tail: 2 })).records)).toEqual(['stderr:four\n', 'stdout:five\n']);
      expect((await readLog(file, { tail: 50 })).records).toHaveLength(5);
      expect((await readLog(file, { tail: -1 })).records).toHaveLength(5);
    });

    it('keeps records between since and until, both inclusive', async () => {
      const at = (s: number): bigint => timeNanos(T(s))!;
      expect(show((await readLog(file, { since: at(2), until: at(5) })).records)).toEqual(['stderr:two\n', 'stdout:three\n', 'stderr:four\n']);
      expect(show((await readLog(file, { since: at(5) })).records)).toEqual(['stderr:four\n', 'stdout:five\n']);
      expect(show((await readLog(file, { until: at(1) })).records)).toEqual(['stdout:one\n']);
    });

    it('applies tail after the time and stream filters', async () => {
      expect(show((await readLog(file, { stderr: false, tail: 2 })).records)).toEqual(['stdout:three\n', 'stdout:five\n']);
    });

    it('gives stdout or stderr only', async () => {
      expect(show((await readLog(file, { stderr: false })).records)).toEqual(['stdout:one\n', 'stdout:three\n', 'stdout:five\n']);
      expect(show((await readLog(file, { stdout: false })).records)).toEqual(['stderr:two\n', 'stderr:four\n']);
    });

    it('is empty for a log that does not exist', async () => {
      expect(await readLog(join(dir, 'missing.log'))).toEqual({ records: [], offset: 0 });
      expect(await readLog(join(dir, 'no-dir', 'x.log'))).toEqual({ records: [], offset: 0 });
    });
  });

  describe('followLog', () => {
    /** Follows `file` from `offset`; `done` and the controller decide when it ends. */
    function follow(offset: number, done: () => boolean, q = {}): { got: LogRecord[]; ac: AbortController; finished: Promise<void> } {
      const got: LogRecord[] = [];
      const ac = new AbortController();
      const finished = followLog(file, offset, q, (r) => got.push(r), done, ac.signal);
      return { got, ac, finished };
    }

    /** Resolves once `got` has `n` records (polled; no time limit other than the test's). */
    async function until(got: LogRecord[], n: number): Promise<void> {
      while (got.length < n) await new Promise((resolve) => setTimeout(resolve, 10));
    }

    it('gives records appended after the offset, then ends once done() and drained', async () => {
      writeFileSync(file, line(1, 'stdout', 'old'));
      const { offset } = await readLog(file);
      let writerDone = false;
      const { got, finished } = follow(offset, () => writerDone);
      appendFileSync(file, line(2, 'stdout', 'new'));
      await until(got, 1);
      appendFileSync(file, line(3, 'stderr', 'more'));
      await until(got, 2);
      appendFileSync(file, line(4, 'stdout', 'last'));
      writerDone = true;
      await finished;
      expect(show(got)).toEqual(['stdout:new\n', 'stderr:more\n', 'stdout:last\n']);
    });

    it('reads what the writer wrote just before done() turned true', async () => {
      writeFileSync(file, '');
      let calls = 0;
      const { got, finished } = follow(0, () => {
        calls++;
        // the writer's last words land between the follower's read and its question
        if (calls === 1) appendFileSync(file, line(1, 'stdout', 'bye'));
        return true;
      });
      await finished;
      expect(show(got)).toEqual(['stdout:bye\n']);
    });

    it('loses nothing over a rotation', async () => {
      writeFileSync(file, line(1, 'stdout', 'a'));
      let writerDone = false;
      const { got, finished } = follow(0, () => writerDone);
      await until(got, 1);
      appendFileSync(file, line(2, 'stdout', 'b'));
      renameSync(file, `${file}.1`);
      writeFileSync(file, line(3, 'stdout', 'c'));
      await until(got, 3);
      appendFileSync(file, line(4, 'stdout', 'd'));
      writerDone = true;
      await finished;
      expect(show(got)).toEqual(['stdout:a\n', 'stdout:b\n', 'stdout:c\n', 'stdout:d\n']);
    });

    it('completes a line readLog stopped inside of', async () => {
      writeFileSync(file, line(1, 'stdout', 'done') + line(2, 'stdout', 'Enter: ', 'P') + `${T(3)} stdout F par`);
      const { records, offset } = await readLog(file);
      expect(show(records)).toEqual(['stdout:done\n']);
      let writerDone = false;
      const { got, finished } = follow(offset, () => writerDone);
      appendFileSync(file, 'tial\n');
      writerDone = true;
      await finished;
      expect(show(got)).toEqual(['stdout:Enter: partial\n']);
    });

    it('applies the stream filter', async () => {
      writeFileSync(file, line(1, 'stdout', 'out') + line(2, 'stderr', 'err'));
      const { got, finished } = follow(0, () => true, { stdout: false });
      await finished;
      expect(show(got)).toEqual(['stderr:err\n']);
    });

    it('waits for a log that does not exist yet', async () => {
      let writerDone = false;
      const { got, finished } = follow(0, () => writerDone);
      writeFileSync(file, line(1, 'stdout', 'late'));
      await until(got, 1);
      writerDone = true;
      await finished;
      expect(show(got)).toEqual(['stdout:late\n']);
    });

    it('stops when aborted, though the writer is not done', async () => {
      writeFileSync(file, line(1, 'stdout', 'a'));
      const { got, ac, finished } = follow(0, () => false);
      await until(got, 1);
      ac.abort();
      await finished;
      appendFileSync(file, line(2, 'stdout', 'b'));
      expect(show(got)).toEqual(['stdout:a\n']);
    });

    it('keeps at most one abort listener however long it waits', async () => {
      writeFileSync(file, '');
      let idle = 0;
      let most = 0;
      const ac = new AbortController();
      const finished = followLog(file, 0, {}, () => undefined, () => {
        most = Math.max(most, getEventListeners(ac.signal, 'abort').length);
        // a write in the directory wakes the follower, so the naps are short
        writeFileSync(join(dir, 'nudge'), String(idle));
        return ++idle > 15;
      }, ac.signal);
      await finished;
      expect(idle).toBe(16);
      expect(most).toBeLessThanOrEqual(1);
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    });
  });
});
