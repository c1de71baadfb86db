/**
 * The Node-served tsrun commands. The C front end execs `node tsrun-node.cjs <argv>`
 * for spec, features, ps, events and update, and starts the planner with
 * __planner-serve / __plan. Command modules load lazily so that each command pays
 * only for what it uses.
 */
import { EngineError, exitCodeOf } from '@tsrun/oci-spec/errors';
import type { CliIo, Command } from './context.js';
import { parseGlobalFlags } from './global-flags.js';

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  spec: async () => (await import('./commands/spec.js')).specCommand,
  features: async () => (await import('./commands/features.js')).featuresCommand,
  ps: async () => (await import('./commands/ps.js')).psCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  update: async () => (await import('./commands/update.js')).updateCommand,
  '__planner-serve': async () => (await import('./commands/planner.js')).plannerServeCommand,
  __plan: async () => (await import('./commands/planner.js')).planCommand,
};

const USAGE = `usage: tsrun [global options] <command> [options] [arguments]

Commands served by Node:
  spec       create a new specification file (config.json)
  features   show the enabled features
  ps         display the processes running inside a container
  events     display container events such as OOM notifications and stats
  update     update container resource constraints

Global options: --root DIR (default /run/tsrun), --log FILE, --log-format text|json, --debug
`;

/** Runs one command line; returns the exit status. Errors are printed as "tsrun: <message>", never as a stack trace. */
export async function main(argv: readonly string[], io: CliIo, self: string | null): Promise<number> {
  try {
    const { globals, rest } = parseGlobalFlags(argv);
    const [name, ...args] = rest;
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      (name === undefined ? io.stderr : io.stdout).write(USAGE);
      return name === undefined ? 1 : 0;
    }
    const load = COMMANDS[name];
    if (!load) throw new EngineError('invalid_argument', `unknown command ${JSON.stringify(name)} for the Node side of tsrun`);
    const command = await load();
    return await command({ globals, io, args, self });
  } catch (err) {
    io.stderr.write(`tsrun: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env['TSRUN_DEBUG_STACK'] === '1' && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}
