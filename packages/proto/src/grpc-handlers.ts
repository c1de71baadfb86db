/**
 * The two halves of every service boundary: EngineErrors become gRPC statuses
 * in servers, statuses become EngineErrors in clients. Each service's server
 * and client use these, so the mapping lives in one place (oci-spec errors.ts).
 */
import type { sendUnaryData, ServerErrorResponse, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import { EngineError, errorCodeFromGrpcStatus, grpcStatusOf } from '@tsrun/oci-spec/errors';

export function toStatus(err: unknown): ServerErrorResponse {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: grpcStatusOf(err), details: message });
}

export function fromStatus(err: ServiceError): EngineError {
  return new EngineError(errorCodeFromGrpcStatus(err.code), err.details || err.message, { cause: err });
}

/** A unary handler: runs `fn` on the request and maps its result or error. */
export function unary<Req, Res>(fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve().then(() => fn(call.request, call)).then((r) => callback(null, r), (err: unknown) => callback(toStatus(err)));
  };
}

/** A client call as a promise, its status turned back into an EngineError. */
export function call<Res>(start: (cb: (err: ServiceError | null, res?: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    start((err, res) => (err ? reject(fromStatus(err)) : resolve(res as Res)));
  });
}
