import { EngineError } from '@tsrun/oci-spec/errors';
import type { GlobalFlags } from './context.js';

const WITH_VALUE = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
const BOOLEAN = new Set(['--debug', '--systemd-cgroup']);

/**
 * runc-style global flags before the command name: --root DIR, --log FILE,
 * --log-format text|json, --debug (and runc's --criu, --rootless, --systemd-cgroup,
 * accepted for compatibility). Returns the flags and the command line after them.
 */
export function parseGlobalFlags(argv: readonly string[]): { globals: GlobalFlags; rest: string[] } {
  const globals: GlobalFlags = { root: '/run/tsrun', log: null, logFormat: 'text', debug: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^-(?=[a-z])/, '--');
    if (BOOLEAN.has(name)) {
      if (name === '--debug') globals.debug = eq < 0 || arg.slice(eq + 1) !== 'false';
      if (name === '--systemd-cgroup' && (eq < 0 || arg.slice(eq + 1) !== 'false')) {
        throw new EngineError('unimplemented', 'the systemd cgroup driver is not supported');
      }
      continue;
    }
    if (!WITH_VALUE.has(name)) throw new EngineError('invalid_argument', `flag provided but not defined: ${arg}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new EngineError('invalid_argument', `flag needs an argument: ${arg}`);
    if (name === '--root') globals.root = value;
    else if (name === '--log') globals.log = value;
    else if (name === '--log-format') {
      if (value !== 'text' && value !== 'json') throw new EngineError('invalid_argument', `invalid log-format: ${value}`);
      globals.logFormat = value;
    }
  }
  return { globals, rest: argv.slice(i) };
}
