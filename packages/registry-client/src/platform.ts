/**
 * Platforms (`os/arch[/variant]`) and picking one manifest out of an index,
 * with containerd's normalisation (x86_64 is amd64, aarch64 is arm64, arm64's
 * default variant is v8, arm's is v7).
 */
import { EngineError } from '@tsrun/oci-spec';
import type { Descriptor, Platform } from './media-types.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const ARCH_ALIASES: Readonly<Record<string, string>> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };
const PART_RE = /^[a-z0-9_.-]+$/;

function normalise(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture] ?? p.architecture;
  let variant = p.variant === '' ? undefined : p.variant;
  if (architecture === 'arm64' && variant === undefined) variant = 'v8';
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  if (p.architecture === 'armel' && p.variant === undefined) variant = 'v6';
  return { os: p.os, architecture, ...(variant !== undefined && { variant }) };
}

/** Parses `os/arch[/variant]` (the --platform flag). */
export function parsePlatform(spec: string): Platform {
  const parts = spec.toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !PART_RE.test(p))) {
    throw new EngineError('invalid_argument', `--platform ${JSON.stringify(spec)}: want os/arch[/variant], e.g. linux/amd64 or linux/arm/v7`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalise({ os, architecture, ...(variant !== undefined && { variant }) });
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

export function platformMatches(want: Platform, have: Platform): boolean {
  const a = normalise(want);
  const b = normalise(have);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** The index entry for the platform; throws not_found listing what the index offers. */
export function selectManifest(manifests: readonly Descriptor[], want: Platform, what: string): Descriptor {
  const found = manifests.find((m) => m.platform !== undefined && platformMatches(want, m.platform));
  if (found !== undefined) return found;
  const offered = manifests.filter((m) => m.platform !== undefined).map((m) => formatPlatform(normalise(m.platform!)));
  throw new EngineError('not_found',
    `${what}: no manifest for platform ${formatPlatform(want)} (the index has ${offered.length > 0 ? offered.join(', ') : 'no platforms'})`);
}
