import { describe, expect, it } from 'vitest';
import { parseBatchStderr } from './resident-ip.js';

describe('parseBatchStderr', () => {
  it('attributes ip\'s words to the failing line and sees the marker', () => {
    const text = 'Cannot find device "x0"\nCommand failed -:4\nError: any valid prefix is expected rather than "1.2.3.4/33".\nCommand failed -:6\n'
      + 'Object "tsrun-batch-end" is unknown, try "ip help".\nCommand failed -:7\n';
    const { failures, done } = parseBatchStderr(text, 7);
    expect(done).toBe(true);
    expect([...failures]).toEqual([[4, 'Cannot find device "x0"'], [6, 'Error: any valid prefix is expected rather than "1.2.3.4/33".']]);
  });

  it('is not done before the marker line has failed', () => {
    expect(parseBatchStderr('Cannot find device "x0"\nCommand failed -:4\n', 7).done).toBe(false);
    expect(parseBatchStderr('Object "tsrun-batch-end" is unknown, try "ip help".\nCommand failed -:3\n', 7).done).toBe(false);
  });
});
