import { EngineError } from '@tsrun/oci-spec/errors';
import { tsrunFeatures } from '../../runtime/features.js';
import { TSRUN_VERSION } from '../../runtime/version.js';
import type { Command } from '../context.js';

/** `features`: the OCI features document, indented as runc prints it. */
export const featuresCommand: Command = async ({ args, io }) => {
  if (args.length > 0) throw new EngineError('invalid_argument', '"features" takes no arguments');
  io.stdout.write(`${JSON.stringify(tsrunFeatures(TSRUN_VERSION), null, 4)}\n`);
  return 0;
};
