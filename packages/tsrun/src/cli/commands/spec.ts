import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, wrapError } from '@tsrun/oci-spec/errors';
import { defaultSpec, rootlessSpec } from '../../runtime/default-spec.js';
import type { Command } from '../context.js';
import { parseCommandArgs } from '../parse.js';

/** `spec [--bundle|-b DIR] [--rootless]`: a starter config.json, never overwriting one (as runc). */
export const specCommand: Command = async ({ args }) => {
  const { values, positionals } = parseCommandArgs(args, {
    bundle: { type: 'string', short: 'b' },
    rootless: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new EngineError('invalid_argument', '"spec" takes no arguments');
  const dir = values.bundle ?? '.';
  if (values.bundle !== undefined) {
    try {
      if (!statSync(dir).isDirectory()) throw new EngineError('invalid_argument', `chdir ${dir}: not a directory`);
    } catch (err) {
      throw wrapError(err, `chdir ${dir}`);
    }
  }
  const path = join(dir, 'config.json');
  if (existsSync(path)) throw new EngineError('already_exists', 'File config.json exists. Remove it first');
  const spec = values.rootless ? rootlessSpec(process.geteuid?.() ?? 0, process.getegid?.() ?? 0) : defaultSpec();
  try {
    writeFileSync(path, JSON.stringify(spec, null, '\t'), { mode: 0o666 });
  } catch (err) {
    throw wrapError(err, `write ${path}`);
  }
  return 0;
};
