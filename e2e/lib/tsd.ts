// A private tsd for a test: its own data root, exec root, default bridge and
// subnet, inside a network namespace of its own (nsenter, so that /sys and the
// cgroup mounts stay visible), so that the host's interfaces and rules are
// never touched. Clients reach it with TSD_HOST.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addNetns, delNetns, nsPath } from './netns.ts';

export const REPO = join(import.meta.dirname, '../..');
export const TSD_BIN = join(REPO, 'packages/api-gateway/tsd');
export const TSCTL_BIN = join(REPO, 'packages/cli/dist/tsctl.cjs');

let counter = 0;

export interface Tsd {
  readonly netns: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly host: string;
  readonly env: NodeJS.ProcessEnv;
  readonly output: () => string;
  proc: ChildProcess;
  /** starts it again on the same roots (after kill or stop) */
  restart(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** stops the daemon, removes every container it knows, the netns and the roots */
  destroy(): Promise<void>;
}

async function waitForSocket(path: string, proc: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (existsSync(path)) return;
    if (proc.exitCode !== null) throw new Error(`tsd exited (${proc.exitCode}):\n${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tsd did not listen on ${path}:\n${out()}`);
}

/**
 * `hostNetwork`: no namespace of its own and no default network (`--bridge none`), for
 * tests that only need loopback services of the host (a registry) and containers without
 * a network; nothing is made on the host.
 */
export interface TsdOptions {
  hostNetwork?: boolean;
  /** with -H given, also listen on the default socket */
  unixToo?: boolean;
  /** join this test netns (another daemon's) instead of making one; it is not deleted */
  netns?: string;
  /** the socket it listens on, in its exec root (`--service X` listens on X.sock) */
  socketName?: string;
}

export async function startTsd(extraArgs: string[] = [], opts: TsdOptions = {}): Promise<Tsd> {
  const n = counter++;
  const netns = opts.hostNetwork ? '' : opts.netns ?? addNetns(`tsd${n}`);
  const dataRoot = mkdtempSync('/tmp/tsd-e2e-data-');
  const execRoot = `/run/tsdt-${process.pid % 100000}-${n}`;
  mkdirSync(execRoot, { recursive: true });
  const socket = join(execRoot, opts.socketName ?? 'tsd.sock');
  const host = `unix://${socket}`;
  let log = '';
  const args = [
    ...(opts.hostNetwork ? ['--net=/proc/self/ns/net'] : [`--net=${nsPath(netns)}`]),
    TSD_BIN, '--data-root', dataRoot, '--exec-root', execRoot,
    ...(opts.hostNetwork ? ['--bridge', 'none'] : ['--bridge', `tsdt${n}`, '--default-subnet', `10.${200 + (n % 50)}.0.0/24`]),
    ...extraArgs,
    // with -H given, the default socket is only there when asked for too
    ...(opts.unixToo ? ['-H', host] : []),
  ];
  const launch = async (): Promise<ChildProcess> => {
    const proc = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (c: Buffer) => { log += c.toString(); });
    proc.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
    await waitForSocket(socket, proc, () => log);
    return proc;
  };
  const t: Tsd = {
    netns, dataRoot, execRoot, socket, host, env: { ...process.env, TSD_HOST: host }, output: () => log, proc: await launch(),
    async restart() {
      t.proc = await launch();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const p = t.proc;
      if (p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill(signal);
      });
      if (signal === 'SIGKILL') rmSync(socket, { force: true });
    },
    async destroy() {
      await t.kill('SIGTERM');
      // containers outlive the daemon: kill what is left through the shim, then the roots
      const shim = join(REPO, 'runtime-shim/build/tsrun');
      const rt = join(execRoot, 'runtime');
      if (existsSync(rt)) {
        const { readdirSync } = await import('node:fs');
        const { execFileSync } = await import('node:child_process');
        for (const id of readdirSync(rt)) {
          try {
            execFileSync(shim, ['--root', rt, 'delete', '--force', id], { stdio: 'ignore' });
          } catch {
            // already gone
          }
        }
      }
      const { execFileSync } = await import('node:child_process');
      try {
        execFileSync('sh', ['-c', `grep -o " ${dataRoot}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`], { stdio: 'ignore' });
      } catch {
        // nothing mounted
      }
      rmSync(dataRoot, { recursive: true, force: true });
      rmSync(execRoot, { recursive: true, force: true });
      if (netns !== '' && opts.netns === undefined) delNetns(netns);
    },
  };
  return t;
}
