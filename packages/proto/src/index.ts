import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { DESCRIPTOR_SET } from './generated/descriptor-set.js';
import { PROTO_LOADER_OPTIONS } from './loader-options.js';

export { PROTO_LOADER_OPTIONS };

let contracts: GrpcObject | undefined;

/**
 * Loads the contracts, e.g. `loadProto<ProtoGrpcType>('images/v1/images.proto')`
 * with the ProtoGrpcType that the generated `images.ts` exports for that file.
 * Every contract comes from one descriptor set made from proto/ at build time,
 * parsed once per process, so that a bundled CLI needs no .proto files.
 */
export function loadProto<T = GrpcObject>(file: string): T {
  contracts ??= loadPackageDefinition(fromJSON(DESCRIPTOR_SET as Parameters<typeof fromJSON>[0], PROTO_LOADER_OPTIONS));
  const [service, version] = file.split('/');
  const tsrun = contracts.tsrun as Record<string, Record<string, unknown> | undefined> | undefined;
  if (tsrun?.[service ?? '']?.[version ?? ''] === undefined) throw new Error(`proto: ${file} is not among the contracts built from proto/ (run the build)`);
  return contracts as unknown as T;
}

export { serviceClient, serviceClients } from './service-client.js';
export * from './oci-wire.js';
export * from './grpc-handlers.js';
export * from './in-process.js';
