/**
 * Between OCI descriptors and platforms as the packages hold them and the
 * shared oci/v1 wire messages. int64 arrives as a string (PROTO_LOADER_OPTIONS'
 * `longs: String`); an empty platform stands for none.
 */
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Descriptor as WireDescriptor, Descriptor__Output } from './generated/tsrun/oci/v1/Descriptor.js';
import type { Platform as WirePlatform, Platform__Output } from './generated/tsrun/oci/v1/Platform.js';

export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: OciPlatform;
  annotations?: Record<string, string>;
}

export function wireInt(value: string | number, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new EngineError('invalid_argument', `${field}: ${value} is not a safe integer`);
  return n;
}

export function platformToWire(p: OciPlatform | undefined): WirePlatform | null {
  return p ? { os: p.os, architecture: p.architecture, variant: p.variant ?? '' } : null;
}

export function platformFromWire(p: Platform__Output | null | undefined): OciPlatform | undefined {
  if (!p || (p.os === '' && p.architecture === '')) return undefined;
  return { os: p.os, architecture: p.architecture, ...(p.variant !== '' && { variant: p.variant }) };
}

export function descriptorToWire(d: OciDescriptor): WireDescriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: String(d.size), platform: platformToWire(d.platform), annotations: d.annotations ?? {} };
}

/** `field` names the message in errors: a missing one, or a size that is no safe integer. */
export function descriptorFromWire(d: Descriptor__Output | null | undefined, field: string): OciDescriptor {
  if (!d) throw new EngineError('internal', `${field}: missing`);
  const platform = platformFromWire(d.platform);
  return {
    mediaType: d.mediaType, digest: d.digest, size: wireInt(d.size, `${field}.size`),
    ...(platform && { platform }),
    ...(Object.keys(d.annotations ?? {}).length > 0 && { annotations: d.annotations }),
  };
}
