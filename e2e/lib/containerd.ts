// A private containerd for tests: its own root, state and sockets, the CRI
// plugin off, stopped when the test file ends.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Containerd { ctr(args: string[]): { code: number; stdout: string; stderr: string }; stop(): Promise<void> }

export async function startContainerd(): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-containerd-'));
  const run = mkdtempSync('/run/tsrun-e2e-containerd-');
  const address = join(run, 'containerd.sock');
  writeFileSync(join(dir, 'config.toml'), [
    'version = 2',
    `root = "${join(dir, 'root')}"`,
    `state = "${join(run, 'state')}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${address}"`,
    '[ttrpc]',
    `  address = "${address}.ttrpc"`,
    '',
  ].join('\n'));
  const daemon: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(address); i += 1) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(address)) throw new Error('containerd did not start');
  return {
    ctr(args) {
      const r = spawnSync('ctr', ['--address', address, ...args], { encoding: 'utf8', timeout: 30_000 });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async stop() {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
      spawnSync('umount', ['-R', join(run, 'state')]);
      rmSync(dir, { recursive: true, force: true });
      rmSync(run, { recursive: true, force: true });
    },
  };
}
