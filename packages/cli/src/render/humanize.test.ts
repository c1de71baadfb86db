import { describe, expect, it } from 'vitest';
import { bytesSize, ellipsis, goTimeString, humanDuration, humanSize, shortId, timeAgo } from './humanize.js';

describe('docker words for times and sizes', () => {
  it.each([
    [500, 'Less than a second'], [1000, '1 second'], [59_000, '59 seconds'], [60_000, 'About a minute'], [119_000, 'About a minute'],
    [120_000, '2 minutes'], [59 * 60_000, '59 minutes'], [60 * 60_000, 'About an hour'], [89 * 60_000, 'About an hour'], [2 * 3_600_000, '2 hours'],
    [47 * 3_600_000, '47 hours'], [48 * 3_600_000, '2 days'], [15 * 86_400_000, '2 weeks'], [70 * 86_400_000, '2 months'], [800 * 86_400_000, '2 years'],
  ])('humanDuration(%i) = %s', (ms, words) => {
    expect(humanDuration(ms)).toBe(words);
  });

  it('timeAgo and Go time strings', () => {
    const now = Date.parse('2026-11-23T10:01:30Z');
    expect(timeAgo('2026-11-23T10:00:00Z', now)).toBe('About a minute ago');
    expect(timeAgo('', now)).toBe('');
    expect(goTimeString('2026-11-23T10:00:00.123456789Z')).toBe('2026-11-23 10:00:00 +0000 UTC');
  });

  it('sizes as go-units prints them', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(16_434_343)).toBe('16.43MB');
    expect(humanSize(16_434_343, 3)).toBe('16.4MB');
    expect(humanSize(4_200_000)).toBe('4.2MB');
    expect(bytesSize(1536)).toBe('1.5KiB');
    expect(bytesSize(2 * 1024 ** 3)).toBe('2GiB');
  });

  it('ids and ellipsis', () => {
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(ellipsis('sh -c while true; do sleep 1; done', 20)).toBe('sh -c while true; d…');
    expect(ellipsis('short', 20)).toBe('short');
  });
});
