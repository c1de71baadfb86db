import { describe, expect, it } from 'vitest';
import { goDurationMs, parseBytes, parseNanoCpus, parseRestart, parseTimestamp } from './units.js';

describe('parseBytes (--memory)', () => {
  it('reads docker units', () => {
    expect(parseBytes('512', '-m, --memory')).toBe(512);
    expect(parseBytes('64m', '-m, --memory')).toBe(64 * 1024 ** 2);
    expect(parseBytes('1.5g', '-m, --memory')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('2GiB', '-m, --memory')).toBe(2 * 1024 ** 3);
    expect(parseBytes('10kb', '-m, --memory')).toBe(10 * 1024);
    expect(parseBytes('7b', '-m, --memory')).toBe(7);
  });
  it('rejects other text naming the flag', () => {
    expect(() => parseBytes('64x', '-m, --memory')).toThrow('invalid argument "64x" for "-m, --memory" flag: expected a size');
    expect(() => parseBytes('-1', '-m, --memory')).toThrow('for "-m, --memory" flag');
  });
});

describe('parseNanoCpus (--cpus)', () => {
  it('is exact', () => {
    expect(parseNanoCpus('1.5')).toBe(1_500_000_000);
    expect(parseNanoCpus('0.1')).toBe(100_000_000);
    expect(parseNanoCpus('.25')).toBe(250_000_000);
    expect(parseNanoCpus('2')).toBe(2_000_000_000);
    expect(parseNanoCpus('0.0000000010')).toBe(1);
  });
  it('rejects what docker rejects', () => {
    expect(() => parseNanoCpus('abc')).toThrow('invalid argument "abc" for "--cpus" flag');
    expect(() => parseNanoCpus('-1')).toThrow('for "--cpus" flag');
    expect(() => parseNanoCpus('0.0000000001')).toThrow('value is too precise');
  });
});

describe('parseRestart (--restart)', () => {
  it('reads the four policies', () => {
    expect(parseRestart('no')).toEqual({ name: 'no', maximumRetryCount: 0 });
    expect(parseRestart('always')).toEqual({ name: 'always', maximumRetryCount: 0 });
    expect(parseRestart('unless-stopped')).toEqual({ name: 'unless-stopped', maximumRetryCount: 0 });
    expect(parseRestart('on-failure:5')).toEqual({ name: 'on-failure', maximumRetryCount: 5 });
  });
  it('rejects the rest', () => {
    expect(() => parseRestart('sometimes')).toThrow('invalid argument "sometimes" for "--restart" flag: invalid restart policy "sometimes"');
    expect(() => parseRestart('always:3')).toThrow("maximum retry count cannot be used with restart policy 'always'");
    expect(() => parseRestart('on-failure:x')).toThrow('maximum retry count must be a non-negative integer');
  });
});

describe('timestamps (--since, --until)', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  it('reads durations before now, RFC 3339 and unix seconds', () => {
    expect(goDurationMs('1h30m')).toBe(5_400_000);
    expect(goDurationMs('10')).toBeUndefined();
    expect(parseTimestamp('10m', '--since', now)).toBe('2026-11-23T09:50:00.000Z');
    expect(parseTimestamp('2026-11-22T08:00:00Z', '--since', now)).toBe('2026-11-22T08:00:00Z');
    expect(parseTimestamp('2026-11-22', '--since', now)).toBe('2026-11-22T00:00:00Z');
    expect(parseTimestamp('1700000000.5', '--since', now)).toBe('1700000000.5');
  });
  it('rejects the rest naming the flag', () => {
    expect(() => parseTimestamp('yesterday', '--since', now)).toThrow('invalid argument "yesterday" for "--since" flag');
  });
});
