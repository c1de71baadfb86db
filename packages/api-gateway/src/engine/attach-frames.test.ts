import { describe, expect, it } from 'vitest';
import { frame, FrameReader, resizeFrame, STREAM } from './attach-frames.js';

describe('attach frames', () => {
  it('round-trips frames split at any byte', () => {
    const bytes = Buffer.concat([frame(STREAM.stdout, Buffer.from('hello\n')), frame(STREAM.stderr, Buffer.from('oops')), frame(STREAM.closeStdin)]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = new FrameReader();
      const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
      expect(got.map((f) => [f.stream, f.payload.toString()])).toEqual([[1, 'hello\n'], [2, 'oops'], [3, '']]);
    }
  });

  it('encodes a resize as rows and cols, big-endian', () => {
    expect([...resizeFrame(24, 80)]).toEqual([4, 0, 0, 0, 0, 0, 0, 4, 0, 24, 0, 80]);
  });
});
