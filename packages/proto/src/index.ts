import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/** The repo's proto/ folder: two levels above this package's src/ or dist/. */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** The options the generated types (tools/gen-proto-types.ts) assume: keep them in step. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/**
 * Loads one contract, e.g. `loadProto<ProtoGrpcType>('images/v1/images.proto')`
 * with the ProtoGrpcType that the generated `images.ts` exports for that file.
 */
export function loadProto<T = GrpcObject>(file: string): T {
  if (!existsSync(`${PROTO_ROOT}${file}`)) throw new Error(`proto: ${file} is not in ${PROTO_ROOT}`);
  return loadPackageDefinition(loadSync(file, PROTO_LOADER_OPTIONS)) as unknown as T;
}

export * from './oci-wire.js';
