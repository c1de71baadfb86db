/** Between the store's TypeScript types and the images/v1 wire messages (int64 travels as a string). */
import { EngineError } from '@tsrun/oci-spec';
import type { Image, Image__Output } from '@tsrun/proto/generated/tsrun/images/v1/Image.js';
import { descriptorFromWire, descriptorToWire } from '@tsrun/proto';
import type { ImageRecord } from './metadata-store.js';

// The descriptor and platform converters are the shared ones of @tsrun/proto.
export { descriptorFromWire, descriptorToWire, platformFromWire, platformToWire, wireInt as int } from '@tsrun/proto';

export function imageToWire(r: ImageRecord): Image {
  return { name: r.name, target: descriptorToWire(r.target), created: r.created, updated: r.updated };
}

export function imageFromWire(i: Image__Output | null, field: string): ImageRecord {
  if (!i) throw new EngineError('internal', `${field}: missing`);
  return { name: i.name, target: descriptorFromWire(i.target, `${field}.target`), created: i.created, updated: i.updated };
}
