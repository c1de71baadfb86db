import { describe, expect, it } from 'vitest';
import { formatPlatform, parsePlatform, platformMatches, selectManifest } from './platform.js';
import type { Descriptor } from './media-types.js';

const d = (n: number, platform?: Descriptor['platform']): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: n, ...(platform && { platform }),
});

describe('platforms', () => {
  it('parses os/arch[/variant] with normalised aliases', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm/v6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('Linux/ARM')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(formatPlatform(parsePlatform('linux/arm/v6'))).toBe('linux/arm/v6');
  });

  it.each(['linux', 'linux/', '/amd64', 'linux/amd64/v1/x', 'linux/am d64', ''])('refuses %j naming the flag', (spec) => {
    expect(() => parsePlatform(spec)).toThrow(`--platform ${JSON.stringify(spec)}: want os/arch[/variant]`);
  });

  it('matches arm64 with and without its default variant, not arm/v6 against arm/v7', () => {
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' })).toBe(false);
  });

  it('selects the entry for the platform, or says what the index has', () => {
    const list = [
      d(1, { os: 'linux', architecture: 'arm', variant: 'v6' }),
      d(2, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      d(3, { os: 'linux', architecture: 'amd64' }),
      d(4),
    ];
    expect(selectManifest(list, parsePlatform('linux/amd64'), 'x').size).toBe(3);
    expect(selectManifest(list, parsePlatform('linux/arm'), 'x').size).toBe(2);
    expect(selectManifest(list, parsePlatform('linux/arm/v6'), 'x').size).toBe(1);
    expect(() => selectManifest(list, parsePlatform('linux/s390x'), 'pull r'))
      .toThrow('pull r: no manifest for platform linux/s390x (the index has linux/arm/v6, linux/arm/v7, linux/amd64)');
  });
});
