// A resident planner of the test's own. The front end keys its planner server by
// the inode and mtime of tsrun-node.cjs, so a private copy of that file (through
// $TSRUN_NODE_MAIN) gets servers that no other test or user shares: the test
// sees exactly the servers it caused, and ends them by pid.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RUNTIME_BIN, STATE_ROOT } from './runtime.ts';

export interface PrivatePlanner {
  /** The environment that points the runtime at the private copy. */
  env: NodeJS.ProcessEnv;
  /** Pids of the live `__planner-serve` processes of the private copy. */
  servers(): number[];
  /** The runtime with these arguments, without blocking (several at once). */
  run(args: string[]): Promise<{ code: number; stderr: string }>;
  /** Starts a server (a create that fails after asking the planner) and waits until it listens. */
  startServer(): Promise<number>;
  /** Ends the servers and removes the copy, its socket and its lock file. */
  remove(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cmdline(pid: string): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return [];
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

export function privatePlanner(): PrivatePlanner {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-planner-'));
  const main = join(dir, 'tsrun-node.cjs');
  copyFileSync(join(dirname(RUNTIME_BIN), 'tsrun-node.cjs'), main);
  const st = statSync(main);
  // as planner-client.c names them
  const key = `/run/tsrun/planner/${st.ino}-${Math.floor(st.mtimeMs / 1000)}`;
  const env = { ...process.env, TSRUN_NODE_MAIN: main };
  const servers = () =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        const argv = cmdline(p);
        return argv.includes(main) && argv.includes('__planner-serve');
      })
      .map(Number);
  let runs = 0;
  const run = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      // stderr through a file: a created container keeps the stdio it was given
      const errPath = join(dir, `stderr-${++runs}`);
      const child = spawn(RUNTIME_BIN, ['--root', STATE_ROOT, ...args], { env, stdio: ['ignore', 'ignore', openSync(errPath, 'w')] });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code: code ?? 128, stderr: `${signal ?? ''}${readFileSync(errPath, 'utf8')}` }));
    });
  return {
    env,
    servers,
    run,
    async startServer() {
      const empty = mkdtempSync(join(dir, 'no-config-'));
      const r = await run(['create', '--bundle', empty, `planner-start-${process.pid}`]);
      if (!r.stderr.includes('config.json')) throw new Error(`starting the planner: ${r.stderr}`);
      for (let i = 0; i < 200; i++) {
        const [pid] = servers();
        if (pid !== undefined && existsSync(`${key}.sock`)) return pid;
        await sleep(50);
      }
      throw new Error(`no planner listens on ${key}.sock`);
    },
    remove() {
      for (const pid of servers()) process.kill(pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${key}.lock`, { force: true });
      rmSync(`${key}.sock`, { force: true });
    },
  };
}
