import { describe, expect, it } from 'vitest';
import { mapPool } from './pool.js';

describe('mapPool', () => {
  it('keeps order and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('stops taking work after a failure and rejects with it', async () => {
    const started: number[] = [];
    await expect(mapPool([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two');
      return n;
    })).rejects.toThrow('two');
    expect(started).toEqual([1, 2]);
  });

  it('handles an empty list', async () => {
    expect(await mapPool([], 3, async () => 1)).toEqual([]);
  });
});
