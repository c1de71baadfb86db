// Which runtime the e2e suite drives: RUNTIME=tsrun (default, this repo's build),
// RUNTIME=runc or RUNTIME=crun (Debian's), to prove the tests themselves right.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const RUNTIME = process.env.RUNTIME ?? 'tsrun';

function binary(): string {
  if (RUNTIME === 'tsrun') return process.env.TSRUN_BIN ?? join(REPO, 'runtime-shim/build/tsrun');
  return execFileSync('sh', ['-c', `command -v ${RUNTIME}`], { encoding: 'utf8' }).trim();
}

export const RUNTIME_BIN = binary();
export const isTsrun = RUNTIME === 'tsrun';

/** A private --root for this test file, so suites never see each other's containers. */
export const STATE_ROOT = mkdtempSync(join('/run', `e2e-${RUNTIME}-`));

export interface RunResult { code: number; stdout: string; stderr: string }

const OUTPUT_DIR = mkdtempSync(join('/tmp', 'tsrun-e2e-out-'));
process.on('exit', () => rmSync(OUTPUT_DIR, { recursive: true, force: true }));

/** Runs the runtime. Output goes through files, not pipes: a detached container
 * keeps the stdio it was given, and a pipe would then never reach EOF. */
export function rt(args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): RunResult {
  const outPath = join(OUTPUT_DIR, 'stdout');
  const errPath = join(OUTPUT_DIR, 'stderr');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const r = spawnSync(RUNTIME_BIN, ['--root', STATE_ROOT, ...args], {
      input: opts.input ?? '',
      stdio: ['pipe', out, err],
      timeout: opts.timeoutMs ?? 30_000,
      cwd: opts.cwd,
    });
    if (r.error) throw new Error(`${RUNTIME} ${args.join(' ')}: ${r.error.message}`);
    return { code: r.status ?? 128 + 9, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** Like rt() but fails the test with the runtime's stderr when the exit code is not 0. */
export function rtOk(args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = rt(args, opts);
  if (r.code !== 0) throw new Error(`${RUNTIME} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

export function state(id: string): { status: string; pid: number; [k: string]: unknown } {
  return JSON.parse(rtOk(['state', id]));
}
