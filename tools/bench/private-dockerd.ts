// A private dockerd for the benchmarks, like e2e/lib/dockerd.ts (its own data
// root, exec root and socket; no bridge, no iptables) but with a chosen storage
// driver: overlay2 when the kernel and the data root's filesystem allow it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivateDockerd {
  dataRoot: string;
  driver: string;
  /** unix://… of its socket */
  host: string;
  /** its exec root (containerd's socket and state live below it) */
  execRoot: string;
  /** dockerd's pid */
  pid: number;
  docker(args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

function mountsBelow(dirs: string[]): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => dirs.some((d) => p === d || p.startsWith(`${d}/`)));
}

export async function startPrivateDockerd(parent: string, driver: 'overlay2' | 'vfs'): Promise<PrivateDockerd> {
  const dataRoot = mkdtempSync(join(parent, 'docker-'));
  const run = mkdtempSync('/run/tsrun-bd-');
  const host = `unix://${join(run, 'docker.sock')}`;
  const daemon: ChildProcess = spawn('dockerd', [
    '--data-root', dataRoot, '--exec-root', join(run, 'x'), '--pidfile', join(run, 'docker.pid'), '-H', host,
    '--bridge=none', '--iptables=false', '--ip6tables=false', `--storage-driver=${driver}`,
  ], { stdio: 'ignore' });
  const docker = (args: string[]) => {
    const r = spawnSync('docker', ['-H', host, ...args], { encoding: 'utf8', timeout: 600_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const stop = async () => {
    if (daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
    }
    for (let i = 0; i < 20 && mountsBelow([run, dataRoot]).length > 0; i += 1) {
      for (const point of mountsBelow([run, dataRoot]).reverse()) spawnSync('umount', ['-l', point]);
      await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(run, { recursive: true, force: true });
    rmSync(dataRoot, { recursive: true, force: true });
  };
  for (let i = 0; i < 200 && docker(['version']).code !== 0 && daemon.exitCode === null; i += 1) await new Promise((r) => setTimeout(r, 100));
  const info = docker(['info', '--format', '{{.Driver}}']);
  if (info.code !== 0 || info.stdout.trim() !== driver) {
    await stop();
    throw new Error(`dockerd --storage-driver=${driver} did not start (${info.stderr.trim() || info.stdout.trim()})`);
  }
  return { dataRoot, driver, host, execRoot: join(run, 'x'), pid: daemon.pid!, docker, stop };
}
