import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineError } from '@tsrun/oci-spec/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util.parseArgs with its errors turned into invalid_argument. */
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

export function parseCommandArgs<O extends Options>(args: string[], options: O, allowPositionals = true): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new EngineError('invalid_argument', (err as Error).message.split('\n')[0]!, { cause: err });
  }
}

export function exactlyOneId(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw new EngineError('invalid_argument', `"${command}" requires exactly 1 argument (the container id)`);
  }
  return positionals[0]!;
}
