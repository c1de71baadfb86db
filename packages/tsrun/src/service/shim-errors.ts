/** How a failed shim command becomes an EngineError: its last `tsrun: ...` line, classified. */
import { EngineError, type ErrorCode } from '@tsrun/oci-spec/errors';

/** The shim's own words on stderr, without its `tsrun: ` prefix or log noise. */
export function shimMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const last = lines.at(-1) ?? '';
  return last.replace(/^tsrun: /, '');
}

export function codeOfMessage(message: string): ErrorCode {
  if (/does not exist|not mounted$/.test(message)) return 'not_found';
  if (/already exists/.test(message)) return 'already_exists';
  if (/is not running|is stopped|not paused|is paused|cannot (start|delete|kill)|is running/.test(message)) return 'failed_precondition';
  if (/config\.json|invalid|must be|unknown signal/.test(message)) return 'invalid_argument';
  return 'internal';
}

/** `what: <the shim's message>` (the message alone without what) for a command that exited with `code`. */
export function shimFailure(what: string | undefined, code: number | string, stderr: string, cause?: unknown): EngineError {
  const message = shimMessage(stderr) || `exit status ${String(code)}`;
  return new EngineError(codeOfMessage(message), what ? `${what}: ${message}` : message, { cause });
}
