import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { RUNTIME_BIN } from '../lib/runtime.ts';

// Debian's podman (through conmon, a subreaper that reaps the init itself)
// pointed at the runtime with --runtime, on a private store, no network.
let b: Bundle;
let root: string;
let runroot: string;
beforeAll(() => {
  b = makeBundle(['true']);
  root = mkdtempSync(join(tmpdir(), 'tsrun-e2e-podman-'));
  runroot = mkdtempSync('/run/tsrun-pm-');
});
afterAll(() => {
  b?.remove();
  for (const dir of [root, runroot]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function podman(args: string[]) {
  const r = spawnSync('podman', [
    '--root', root, '--runroot', runroot, '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file', '--runtime', RUNTIME_BIN, ...args,
  ], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Podman asks for nofile 1048576 by default, above this host's hard limit.
const RUN = ['run', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

describe('podman', () => {
  it('runs a container and returns its exit code', () => {
    const r = podman([...RUN, '--rm', '--rootfs', `${b.dir}/rootfs`, 'sh', '-c', 'echo hello from $$; exit 4']);
    expect(r.stdout).toBe('hello from 1\n');
    expect(r.code).toBe(4);
  });

  it('execs into and stops a detached container', () => {
    expect(podman([...RUN, '-d', '--name', 'e2e-pm', '--rootfs', `${b.dir}/rootfs`, 'sleep', '100']).code).toBe(0);
    try {
      expect(podman(['exec', 'e2e-pm', 'sh', '-c', 'echo exec $(cat /proc/1/comm)']).stdout).toBe('exec sleep\n');
      expect(podman(['stop', '-t', '1', 'e2e-pm']).code).toBe(0);
      expect(podman(['inspect', '-f', '{{.State.ExitCode}}', 'e2e-pm']).stdout).toBe('137\n');
    } finally {
      podman(['rm', '-f', 'e2e-pm']);
    }
  });
});
