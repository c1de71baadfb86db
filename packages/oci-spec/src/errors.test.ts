import { describe, expect, it } from 'vitest';
import {
  EngineError,
  errorCodeFromGrpcStatus,
  errorCodeOf,
  exitCodeOf,
  grpcStatusOf,
  httpStatusOf,
  ERROR_CODES,
  wrapError,
} from './errors.js';

describe('EngineError', () => {
  it('carries a code, a message and an ES2022 cause', () => {
    const cause = new Error('boom');
    const e = new EngineError('not_found', 'container c1: not found', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('EngineError');
    expect(e.code).toBe('not_found');
    expect(e.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'not_found', message: 'container c1: not found' });
  });

  it('wraps lower errors with context, keeping or deriving the code', () => {
    const inner = new EngineError('already_exists', 'container c1 exists');
    expect(wrapError(inner, 'create').message).toBe('create: container c1 exists');
    expect(wrapError(inner, 'create').code).toBe('already_exists');
    const enoent = Object.assign(new Error("ENOENT: no such file, open '/x'"), { code: 'ENOENT' });
    const w = wrapError(enoent, 'read /x');
    expect(w.code).toBe('not_found');
    expect(w.cause).toBe(enoent);
    expect(wrapError('weird', 'ctx', 'internal').message).toBe('ctx: weird');
  });

  it('classifies arbitrary values', () => {
    expect(errorCodeOf(new Error('x'))).toBe('internal');
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('permission_denied');
    expect(errorCodeOf(undefined)).toBe('internal');
  });
});

describe('boundary mappings', () => {
  it('maps every code to an exit code, a gRPC status and an HTTP status', () => {
    for (const code of ERROR_CODES) {
      const e = new EngineError(code, code);
      expect(exitCodeOf(e)).toBeGreaterThan(0);
      expect(grpcStatusOf(e)).toBeGreaterThan(0);
      expect(httpStatusOf(e)).toBeGreaterThanOrEqual(400);
    }
  });

  it('uses the conventional numbers', () => {
    expect(exitCodeOf(new EngineError('invalid_argument', 'x'))).toBe(1);
    expect(grpcStatusOf(new EngineError('not_found', 'x'))).toBe(5);
    expect(grpcStatusOf(new EngineError('failed_precondition', 'x'))).toBe(9);
    expect(grpcStatusOf(new EngineError('unavailable', 'x'))).toBe(14);
    expect(httpStatusOf(new EngineError('not_found', 'x'))).toBe(404);
    expect(httpStatusOf(new EngineError('already_exists', 'x'))).toBe(409);
    expect(httpStatusOf(new EngineError('invalid_argument', 'x'))).toBe(400);
    expect(httpStatusOf(new Error('x'))).toBe(500);
  });

  it('round-trips gRPC statuses', () => {
    for (const code of ERROR_CODES) {
      expect(errorCodeFromGrpcStatus(grpcStatusOf(new EngineError(code, 'x')))).toBe(code);
    }
    expect(errorCodeFromGrpcStatus(99)).toBe('unknown');
  });
});
