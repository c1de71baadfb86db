import type { Options } from '@grpc/proto-loader';

/** The options the generated types (tools/gen-proto-types.ts) assume: keep them in step. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};
