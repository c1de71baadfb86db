// A private Docker daemon for tests: its own data root, exec root and socket; no
// bridge and no iptables rules, so the host's network is never touched. The
// runtime under test is registered as the runtime "under-test".
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Dockerd { docker(args: string[], input?: Buffer): { code: number; stdout: string; stderr: string }; stop(): Promise<void> }

export async function startDockerd(runtimeBin: string): Promise<Dockerd> {
  const data = mkdtempSync(join(tmpdir(), 'tsrun-e2e-docker-'));
  // short: Docker's state paths under it must stay usable as socket paths
  const run = mkdtempSync('/run/tsrun-dk-');
  const host = `unix://${join(run, 'docker.sock')}`;
  const daemon: ChildProcess = spawn('dockerd', [
    '--data-root', data, '--exec-root', join(run, 'x'), '--pidfile', join(run, 'docker.pid'), '-H', host,
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
    '--add-runtime', `under-test=${runtimeBin}`,
  ], { stdio: 'ignore' });
  const docker = (args: string[], input?: Buffer) => {
    const r = spawnSync('docker', ['-H', host, ...args], { encoding: 'utf8', timeout: 60_000, input });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  for (let i = 0; i < 200 && docker(['version']).code !== 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  if (docker(['version']).code !== 0) throw new Error('dockerd did not start');
  return {
    docker,
    async stop() {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
      // dockerd's containerd may still be exiting: unmount what is left below our dirs
      for (let i = 0; i < 20 && mountsBelow([run, data]).length > 0; i += 1) {
        for (const point of mountsBelow([run, data]).reverse()) spawnSync('umount', ['-l', point]);
        await new Promise((r) => setTimeout(r, 100));
      }
      rmSync(run, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    },
  };
}

function mountsBelow(dirs: string[]): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => dirs.some((d) => p === d || p.startsWith(`${d}/`)));
}

export function ensureBusyboxImage(d: Dockerd, rootfs: string): void {
  const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  const r = d.docker(['import', '-', 'busybox:e2e'], tar.stdout);
  if (r.code !== 0) throw new Error(`docker import: ${r.stderr}`);
  if (!existsSync(rootfs)) throw new Error(`no rootfs at ${rootfs}`);
}
