import { spawn } from 'node:child_process';
import { EngineError } from '@tsrun/oci-spec';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** Runs a command with `input` on stdin and collects its output; never throws for a non-zero exit. */
export function runCommand(argv: readonly string[], input = '', env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...(env && { env }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new EngineError('unavailable', `run ${argv[0]}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => resolve({
      stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(),
      status: code ?? (signal ? 128 : 1),
    }));
    child.stdin.on('error', () => { /* the exit status reports the failure */ });
    child.stdin.end(input);
  });
}

/** Runs a command and turns a failure into an EngineError that says what was being done (`what`) and the tool's own words. */
export async function runChecked(what: string, argv: readonly string[], input = ''): Promise<string> {
  const r = await runCommand(argv, input);
  if (r.status !== 0) {
    const detail = r.stderr.trim().split('\n').filter(Boolean).join('; ') || `${argv[0]} exited with status ${r.status}`;
    throw new EngineError('internal', `${what}: ${detail}`);
  }
  return r.stdout;
}

/** The argv to run `argv` inside the network namespace at `netnsPath` (undefined: the caller's own). */
export function inNetns(netnsPath: string | undefined, argv: readonly string[]): string[] {
  return netnsPath === undefined ? [...argv] : ['nsenter', `--net=${netnsPath}`, ...argv];
}

/** The argv of `ip ARGS` in a netns: `ip -n NAME` for a named one (one exec less than nsenter), else nsenter by path. */
export function ipArgv(netnsPath: string | undefined, args: readonly string[]): string[] {
  const named = netnsPath === undefined ? undefined : /^\/run\/netns\/([^/]+)$/.exec(netnsPath)?.[1];
  return named ? ['ip', '-n', named, ...args] : inNetns(netnsPath, ['ip', ...args]);
}

