import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { type Dockerd, ensureBusyboxImage, startDockerd } from '../lib/dockerd.ts';
import { RUNTIME_BIN } from '../lib/runtime.ts';

// Debian's dockerd (through its containerd and runc shim) pointed at the runtime
// with --add-runtime, driven by the Docker CLI.
let d: Dockerd;
let b: Bundle;
beforeAll(async () => {
  d = await startDockerd(RUNTIME_BIN);
  b = makeBundle(['true']);
  ensureBusyboxImage(d, `${b.dir}/rootfs`);
}, 120_000);
afterAll(async () => {
  await d?.stop();
  b?.remove();
});

function dockerOk(args: string[]): string {
  const r = d.docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const RUN = ['run', '--runtime', 'under-test', '--network', 'none'];

describe('docker', () => {
  it('runs a container and returns its exit code', () => {
    const r = d.docker([...RUN, '--rm', 'busybox:e2e', 'sh', '-c', 'echo hello from $$; exit 5']);
    expect(r.stdout).toBe('hello from 1\n');
    expect(r.code).toBe(5);
  });

  it('applies limits, execs, pauses and stops a detached container', () => {
    dockerOk([...RUN, '-d', '--name', 'e2e-web', '--memory', '64m', '--pids-limit', '50', 'busybox:e2e', 'sleep', '100']);
    try {
      expect(dockerOk(['exec', 'e2e-web', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max'])).toBe('67108864\n50\n');
      dockerOk(['pause', 'e2e-web']);
      expect(dockerOk(['inspect', '-f', '{{.State.Paused}}', 'e2e-web'])).toBe('true\n');
      dockerOk(['unpause', 'e2e-web']);
      dockerOk(['stop', '-t', '1', 'e2e-web']);
      expect(dockerOk(['inspect', '-f', '{{.State.ExitCode}}', 'e2e-web'])).toBe('137\n');
    } finally {
      d.docker(['rm', '-f', 'e2e-web']);
    }
  });
});
