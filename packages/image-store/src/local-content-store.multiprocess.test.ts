import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Of } from './blob-io.js';
import { LocalContentStore } from './local-content-store.js';

const CHILD = new URL('./test-ingest-child.ts', import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  lines: string[];
  next(): Promise<string>;
}

function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake?.();
  });
  proc.on('exit', () => wake?.());
  return {
    proc,
    lines,
    async next() {
      while (lines.length === 0) {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`child exited (${proc.exitCode ?? proc.signalCode}) without a line`);
        await new Promise<void>((r) => { wake = r; });
      }
      return lines.shift()!;
    },
  };
}

describe('LocalContentStore across processes', () => {
  let dir: string;
  let root: string;
  let file: string;
  let data: Buffer;
  let digest: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsrun-cs-mp-'));
    root = join(dir, 'store');
    file = join(dir, 'blob');
    data = randomBytes(3 * 1024 * 1024 + 12345);
    digest = sha256Of(data);
    writeFileSync(file, data);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A child that writes `bytes` of the blob and is then SIGKILLed, as a crash mid-pull. */
  async function killedWriter(ref: string, bytes: number): Promise<void> {
    const c = startChild([root, ref, file, digest, String(bytes)]);
    expect(await c.next()).toBe('ready');
    c.proc.stdin!.write('go\n');
    expect(await c.next()).toBe('stopped');
    c.proc.kill('SIGKILL');
    await once(c.proc, 'exit');
  }

  it('resumes at the bytes a killed process left, rehashing them', async () => {
    await killedWriter('resume-me', 1_000_000);
    const store = await LocalContentStore.open(root);
    const w = await store.ingest('resume-me', { digest, size: data.length });
    expect(w.offset).toBe(1_000_000);
    await w.write(data.subarray(1_000_000));
    expect(await w.commit()).toEqual({ digest, size: data.length });
    expect(readFileSync(store.blobPath(digest)).equals(data)).toBe(true);
    expect(await store.listIngests()).toEqual([]);
  });

  it('leaves one whole, correct blob when processes race on it, with or without an interrupted ingest to adopt', async () => {
    for (let round = 0; round < 6; round += 1) {
      rmSync(root, { recursive: true, force: true });
      if (round % 2 === 1) await killedWriter(digest, 500_000 + round * 65536);
      const children = [0, 1, 2].map(() => startChild([root, digest, file, digest]));
      for (const c of children) expect(await c.next()).toBe('ready');
      for (const c of children) c.proc.stdin!.write('go\n');
      const results = await Promise.all(children.map(async (c) => JSON.parse(await c.next()) as { offset?: number; blob?: unknown; error?: unknown }));
      for (const r of results) expect(r).toEqual({ offset: expect.any(Number), blob: { digest, size: data.length } });
      // an orphan is adopted by one writer at most; the others start from zero
      const resumed = results.filter((r) => r.offset! > 0);
      expect(resumed.length).toBeLessThanOrEqual(round % 2);
      const store = await LocalContentStore.open(root);
      expect(readFileSync(store.blobPath(digest)).equals(data)).toBe(true);
      expect(await store.listIngests()).toEqual([]);
      expect(readdirSync(store.ingestDir)).toEqual([]);
    }
  }, 120_000);
});
