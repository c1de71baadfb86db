/**
 * Runs one command line and returns the exit status. Commands report their own
 * failures (dispatch.ts); here only commander's parse errors are printed, in
 * docker's words and with docker's 125.
 */
import { CommanderError } from 'commander';
import type { CliIo } from './context.js';
import { buildProgram, USAGE_STATUS, usageMessage } from './program.js';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const state = { status: 0 };
  try {
    await buildProgram(io, state).parseAsync([...argv], { from: 'user' });
    return state.status;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    io.stderr.write(`tsctl: ${usageMessage(err, argv)}\n`);
    return USAGE_STATUS;
  }
}
