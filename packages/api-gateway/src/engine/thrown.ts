/** For tests: the EngineError that `fn` throws (anything else is rethrown; nothing thrown fails). */
import { EngineError } from '@tsrun/oci-spec';

export function thrownEngineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}
