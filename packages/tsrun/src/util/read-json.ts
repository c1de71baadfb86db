import { readFileSync } from 'node:fs';
import { EngineError, wrapError } from '@tsrun/oci-spec/errors';

/** Reads and parses a JSON file; not_found when missing, invalid_argument naming the file when malformed. */
export function readJsonFile(path: string, label = path): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw wrapError(err, `read ${label}`);
  }
  return parseJson(text, label);
}

export function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EngineError('invalid_argument', `${label}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}
