/**
 * The engine's one error class. Every layer throws an EngineError (or wraps a lower
 * error into one with `wrapError`), and each boundary maps the code exactly once:
 * `exitCodeOf` for CLIs, `grpcStatusOf` for gRPC servers, `httpStatusOf` for HTTP.
 */
export const ERROR_CODES = [
  'not_found',
  'already_exists',
  'invalid_argument',
  'failed_precondition',
  'permission_denied',
  'resource_exhausted',
  'deadline_exceeded',
  'canceled',
  'aborted',
  'unavailable',
  'unimplemented',
  'internal',
  'unknown',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

const ERRNO_CODES: Readonly<Record<string, ErrorCode>> = {
  ENOENT: 'not_found',
  ESRCH: 'not_found',
  EEXIST: 'already_exists',
  ENOTEMPTY: 'failed_precondition',
  EBUSY: 'failed_precondition',
  EINVAL: 'invalid_argument',
  ENOTDIR: 'invalid_argument',
  EISDIR: 'invalid_argument',
  EACCES: 'permission_denied',
  EPERM: 'permission_denied',
  EROFS: 'permission_denied',
  ENOSPC: 'resource_exhausted',
  EMFILE: 'resource_exhausted',
  ENOMEM: 'resource_exhausted',
  ETIMEDOUT: 'deadline_exceeded',
  ECONNREFUSED: 'unavailable',
  ECONNRESET: 'unavailable',
  EPIPE: 'unavailable',
  ENOSYS: 'unimplemented',
  EOPNOTSUPP: 'unimplemented',
};

/** The code an arbitrary thrown value carries: an EngineError's own, a Node errno's equivalent, else internal. */
export function errorCodeOf(err: unknown): ErrorCode {
  if (isEngineError(err)) return err.code;
  const errno = (err as { code?: unknown } | null)?.code;
  if (typeof errno === 'string' && errno in ERRNO_CODES) return ERRNO_CODES[errno]!;
  return 'internal';
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Adds what was being done to a lower error: `wrapError(e, 'read /b/config.json')` -> "read /b/config.json: <e's message>". */
export function wrapError(err: unknown, context: string, code?: ErrorCode): EngineError {
  return new EngineError(code ?? errorCodeOf(err), `${context}: ${messageOf(err)}`, { cause: err });
}

/** CLI exit status. runc exits 1 on every failure and tsrun is runc-compatible. */
export function exitCodeOf(err: unknown): number {
  const code = errorCodeOf(err);
  return code === 'canceled' ? 130 : 1;
}

/** The gRPC status code number (grpc/status.h) for an error. */
export function grpcStatusOf(err: unknown): number {
  switch (errorCodeOf(err)) {
    case 'canceled': return 1;
    case 'unknown': return 2;
    case 'invalid_argument': return 3;
    case 'deadline_exceeded': return 4;
    case 'not_found': return 5;
    case 'already_exists': return 6;
    case 'permission_denied': return 7;
    case 'resource_exhausted': return 8;
    case 'failed_precondition': return 9;
    case 'aborted': return 10;
    case 'unimplemented': return 12;
    case 'internal': return 13;
    case 'unavailable': return 14;
  }
}

const GRPC_TO_CODE: Readonly<Record<number, ErrorCode>> = {
  1: 'canceled', 2: 'unknown', 3: 'invalid_argument', 4: 'deadline_exceeded', 5: 'not_found',
  6: 'already_exists', 7: 'permission_denied', 8: 'resource_exhausted', 9: 'failed_precondition',
  10: 'aborted', 11: 'invalid_argument', 12: 'unimplemented', 13: 'internal', 14: 'unavailable',
  15: 'internal', 16: 'permission_denied',
};

/** The inverse, for clients turning a gRPC status back into an EngineError. */
export function errorCodeFromGrpcStatus(status: number): ErrorCode {
  return GRPC_TO_CODE[status] ?? 'unknown';
}

/** The HTTP status (Docker Engine API conventions) for an error. */
export function httpStatusOf(err: unknown): number {
  switch (errorCodeOf(err)) {
    case 'invalid_argument': return 400;
    case 'permission_denied': return 403;
    case 'not_found': return 404;
    case 'already_exists':
    case 'failed_precondition':
    case 'aborted': return 409;
    case 'resource_exhausted': return 429;
    case 'canceled': return 499;
    case 'unimplemented': return 501;
    case 'unavailable': return 503;
    case 'deadline_exceeded': return 504;
    case 'internal':
    case 'unknown': return 500;
  }
}
