import { describe, expect, it } from 'vitest';
import type { Progress } from '../client/wire.js';
import { BarsProgress, PlainProgress, ProgressModel } from './progress.js';

const L1 = `sha256:${'a'.repeat(64)}`;
const L2 = `sha256:${'b'.repeat(64)}`;
const CFG = `sha256:${'c'.repeat(64)}`;

function ev(digest: string, kind: string, phase: string, done: number, total: number, totals: [number, number, number, number]): Progress {
  return {
    blob: { digest, kind, phase: `PHASE_${phase.toUpperCase()}` as 'PHASE_DONE', bytesDone: String(done), bytesTotal: String(total) },
    total: { bytesDone: String(totals[0]), bytesTotal: String(totals[1]), blobsDone: totals[2], blobsTotal: totals[3] },
  };
}

const PULL: Progress[] = [
  ev(L1, 'layer', 'waiting', 0, 100, [0, 150, 0, 3]),
  ev(L2, 'layer', 'exists', 50, 50, [50, 150, 1, 3]),
  ev(CFG, 'config', 'downloading', 0, 10, [50, 160, 1, 3]),
  ev(L1, 'layer', 'downloading', 10, 100, [60, 160, 1, 3]),
  ev(L1, 'layer', 'downloading', 60, 100, [110, 160, 1, 3]),
  // a retried download: the daemon's totals dip, the layer restarts
  ev(L1, 'layer', 'downloading', 20, 100, [70, 160, 1, 3]),
  ev(L1, 'layer', 'verifying', 100, 100, [150, 160, 1, 3]),
  ev(L1, 'layer', 'done', 100, 100, [160, 160, 3, 3]),
  ev(L1, 'layer', 'extracting', 30, 100, [160, 160, 3, 3]),
  ev(L1, 'layer', 'extracting', 90, 100, [160, 160, 3, 3]),
  ev(L1, 'layer', 'complete', 100, 100, [160, 160, 3, 3]),
];

class Sink {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += chunk.toString();
    return true;
  }
}

describe('pull progress, plain', () => {
  it("prints docker's lines: one per layer phase change, never per chunk", () => {
    const sink = new Sink();
    const p = new PlainProgress(sink, 'pull');
    for (const e of PULL) p.update(e);
    expect(sink.text).toBe([
      'aaaaaaaaaaaa: Pulling fs layer',
      'bbbbbbbbbbbb: Already exists',
      'aaaaaaaaaaaa: Downloading',
      'aaaaaaaaaaaa: Verifying Checksum',
      'aaaaaaaaaaaa: Download complete',
      'aaaaaaaaaaaa: Extracting',
      'aaaaaaaaaaaa: Pull complete',
      '',
    ].join('\n'));
    expect(p.model.transferred).toBe(true);
  });

  it('push words', () => {
    const sink = new Sink();
    const p = new PlainProgress(sink, 'push');
    p.update(ev(L1, 'layer', 'waiting', 0, 100, [0, 100, 0, 1]));
    p.update(ev(L1, 'layer', 'uploading', 10, 100, [10, 100, 0, 1]));
    p.update(ev(L1, 'layer', 'done', 100, 100, [100, 100, 1, 1]));
    p.update(ev(L2, 'layer', 'exists', 0, 50, [100, 150, 2, 2]));
    expect(sink.text).toBe('aaaaaaaaaaaa: Preparing\naaaaaaaaaaaa: Pushing\naaaaaaaaaaaa: Pushed\nbbbbbbbbbbbb: Layer already exists\n');
  });
});

describe('the progress model', () => {
  it('totals and layer bytes never go down', () => {
    const m = new ProgressModel('pull');
    let last = { done: 0, total: 0 };
    for (const e of PULL) {
      m.apply(e);
      expect(m.totals.done).toBeGreaterThanOrEqual(last.done);
      expect(m.totals.total).toBeGreaterThanOrEqual(last.total);
      last = { ...m.totals };
    }
    expect(m.totals).toEqual({ done: 160, total: 160, blobsDone: 3, blobsTotal: 3 });
    expect(m.layers.get(L1)).toEqual({ id: 'aaaaaaaaaaaa', phase: 'complete', done: 100, total: 100 });
  });

  it('an image whose layers all exist was not transferred', () => {
    const m = new ProgressModel('pull');
    m.apply(ev(L2, 'layer', 'exists', 50, 50, [50, 50, 1, 1]));
    expect(m.transferred).toBe(false);
  });

  it('feeds the bars monotonic values', () => {
    const updates: { id: string; value: number }[] = [];
    const multibar = {
      create: (_total: number, _start: number, payload?: object) => {
        const id = (payload as { id: string }).id.trim();
        return { update: (value: number) => { updates.push({ id, value }); }, setTotal: () => {} };
      },
      stop: () => {},
    };
    const bars = new BarsProgress(multibar, 'pull');
    for (const e of PULL) bars.update(e);
    for (const id of ['aaaaaaaaaaaa', 'Total']) {
      const values = updates.filter((u) => u.id === id).map((u) => u.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });
});
