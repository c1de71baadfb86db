import { execFile } from 'node:child_process';
import { EngineError } from '@tsrun/oci-spec/errors';
import { readPlan, stateDirOf } from '../../state/container-state.js';
import { containerPids, filterPsOutput } from '../../runtime/container-processes.js';
import type { Command } from '../context.js';
import { parseCommandArgs } from '../parse.js';

function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new EngineError('internal', `ps ${args.join(' ')}: ${err.message}: ${stdout}${stderr}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** `ps [--format|-f table|json] ID [ps args...]`: flags come before the id; everything after it goes to ps(1). */
export const psCommand: Command = async ({ args, globals, io }) => {
  const idAt = args.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && ['-f', '--format'].includes(args[i - 1]!)));
  if (idAt < 0) throw new EngineError('invalid_argument', '"ps" requires a minimum of 1 argument (the container id)');
  const { values } = parseCommandArgs(args.slice(0, idAt), { format: { type: 'string', short: 'f', default: 'table' } }, false);
  const id = args[idAt]!;
  let psArgs = args.slice(idAt + 1);
  if (psArgs[0] === '--') psArgs = psArgs.slice(1);
  if (values.format !== 'table' && values.format !== 'json') throw new EngineError('invalid_argument', 'invalid format option');
  const pids = containerPids(readPlan(stateDirOf(globals.root, id)));
  if (values.format === 'json') {
    io.stdout.write(`${JSON.stringify(pids)}\n`);
    return 0;
  }
  const lines = filterPsOutput(await runPs(psArgs.length > 0 ? psArgs : ['-ef']), pids);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
