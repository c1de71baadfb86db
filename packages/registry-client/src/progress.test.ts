import { describe, expect, it } from 'vitest';
import { type ProgressEvent, ProgressTracker } from './progress.js';

describe('ProgressTracker', () => {
  it('reports totals that never go down, and phase changes always', () => {
    const events: ProgressEvent[] = [];
    const t = new ProgressTracker((e) => events.push(e));
    t.add('a', 'layer', 100);
    t.add('b', 'layer', 50);
    t.update('a', 'downloading', 60);
    t.update('a', 'downloading', 20);
    t.update('b', 'exists');
    t.update('a', 'verifying', 100);
    t.update('a', 'done');
    t.update('a', 'downloading', 0);
    const totals = events.map((e) => e.total.bytesDone);
    expect(totals).toEqual([...totals].sort((x, y) => x - y));
    expect(events.every((e) => e.total.bytesTotal === (e === events[0] ? 100 : 150))).toBe(true);
    expect(events.at(-1)!.total).toEqual({ bytesDone: 150, bytesTotal: 150, blobsDone: 2, blobsTotal: 2 });
    expect(events.map((e) => `${e.blob.digest}:${e.blob.phase}`)).toEqual(['a:waiting', 'b:waiting', 'a:downloading', 'b:exists', 'a:verifying', 'a:done']);
  });
});
