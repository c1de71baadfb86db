/** Between the store's TypeScript types and the images/v1 wire messages (int64 travels as a string). */
import { EngineError } from '@tsrun/oci-spec';
import type { Descriptor as WireDescriptor, Descriptor__Output } from '@tsrun/proto/generated/tsrun/images/v1/Descriptor.js';
import type { Image, Image__Output } from '@tsrun/proto/generated/tsrun/images/v1/Image.js';
import type { Platform as WirePlatform, Platform__Output } from '@tsrun/proto/generated/tsrun/images/v1/Platform.js';
import type { Platform } from './image-reader.js';
import type { Descriptor, ImageRecord } from './metadata-store.js';

export function int(value: string | number, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new EngineError('invalid_argument', `${field}: ${value} is not a safe integer`);
  return n;
}

export function platformToWire(p: Platform | undefined): WirePlatform | null {
  return p ? { os: p.os, architecture: p.architecture, variant: p.variant ?? '' } : null;
}

export function platformFromWire(p: Platform__Output | null | undefined): Platform | undefined {
  if (!p || (p.os === '' && p.architecture === '')) return undefined;
  return { os: p.os, architecture: p.architecture, ...(p.variant && { variant: p.variant }) };
}

export function descriptorToWire(d: Descriptor): WireDescriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: String(d.size), platform: platformToWire(d.platform), annotations: d.annotations ?? {} };
}

export function descriptorFromWire(d: Descriptor__Output | null, field: string): Descriptor {
  if (!d) throw new EngineError('internal', `${field}: missing`);
  const platform = platformFromWire(d.platform);
  return {
    mediaType: d.mediaType, digest: d.digest, size: int(d.size, `${field}.size`),
    ...(platform && { platform: { os: platform.os, architecture: platform.architecture, ...(platform.variant && { variant: platform.variant }) } }),
    ...(Object.keys(d.annotations).length > 0 && { annotations: d.annotations }),
  };
}

export function imageToWire(r: ImageRecord): Image {
  return { name: r.name, target: descriptorToWire(r.target), created: r.created, updated: r.updated };
}

export function imageFromWire(i: Image__Output | null, field: string): ImageRecord {
  if (!i) throw new EngineError('internal', `${field}: missing`);
  return { name: i.name, target: descriptorFromWire(i.target, `${field}.target`), created: i.created, updated: i.updated };
}
