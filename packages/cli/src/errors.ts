/**
 * The CLI's own failures, on top of EngineError. Docker's CLI exits 125 for its
 * own and the daemon's errors on `run`, and on bad flags; everything else exits
 * with exitCodeOf (oci-spec), the one place error codes become exit codes.
 */
import { EngineError, exitCodeOf } from '@tsrun/oci-spec/errors';

import { USAGE_STATUS } from './usage-status.js';

export { USAGE_STATUS };

/** A flag's value that does not parse: `invalid argument "80:abc" for "-p, --publish" flag: <why>`. */
export class FlagError extends EngineError {
  constructor(readonly flag: string, readonly value: string, why: string) {
    super('invalid_argument', `invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flag)} flag: ${why}`);
  }
}

/** A wrong command line that is not one flag's value: missing arguments, flags that conflict. */
export class UsageError extends EngineError {
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

/** An error that must end the process with a given status (docker's cli.StatusError). */
export class StatusError extends Error {
  override readonly name = 'StatusError';

  constructor(readonly status: number, cause: unknown, context?: string) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(context === undefined ? message : `${context}: ${message}`, { cause });
  }
}

/** tsd could not be reached: printed as it is, whatever the command was doing. */
export class DaemonUnreachableError extends EngineError {
  constructor(readonly address: string, readonly reason: string, options?: { cause?: unknown }) {
    super('unavailable', `cannot connect to tsd at ${address}: is the daemon running? (${reason})`, options);
  }
}

/** Adds what was being done to a failure (`stop web: <why>`), but leaves a daemon that cannot be reached as one line. */
export function withContext(err: unknown, context: string): Error {
  if (err instanceof DaemonUnreachableError || err instanceof StatusError || err instanceof FlagError || err instanceof UsageError) return err;
  if (err instanceof EngineError) return new EngineError(err.code, `${context}: ${err.message}`, { cause: err });
  return new EngineError('internal', `${context}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** The exit status for an error that reached main. */
export function exitStatusOf(err: unknown): number {
  if (err instanceof StatusError) return err.status;
  if (err instanceof FlagError || err instanceof UsageError) return USAGE_STATUS;
  return exitCodeOf(err);
}

/**
 * docker run's status when the container could not be started (cli/command/container/run.go):
 * 127 when the command was not found, 126 when it could not be invoked, else 125.
 */
export function startFailureStatus(err: unknown, otherwise: number = USAGE_STATUS): number {
  const message = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory|command not found/i.test(message)) return 127;
  if (/permission denied|is a directory/i.test(message)) return 126;
  return otherwise;
}
