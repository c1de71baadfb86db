import { describe, expect, it } from 'vitest';
import { runContainer } from '../lib/container.ts';

function sh(script: string, edit?: Parameters<typeof runContainer>[1]) {
  const r = runContainer(['sh', '-c', script], edit);
  if (r.code !== 0) throw new Error(`container exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('limits', () => {
  it('sees its own memory, cpu and pids limits in its cgroups', () => {
    const out = sh(
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.shares',
      (c) => {
        c.linux.resources = {
          ...c.linux.resources,
          memory: { limit: 64 * 1024 * 1024 },
          cpu: { quota: 50_000, period: 100_000, shares: 512 },
          pids: { limit: 32 },
        };
      },
    );
    expect(out).toBe(`${64 * 1024 * 1024}\n50000\n100000\n32\n512\n`);
  });

  it('enforces the pids limit', () => {
    // busybox sh gives up with status 2 when a fork fails.
    const r = runContainer(['sh', '-c', 'i=0; while [ $i -lt 20 ]; do sleep 3 & i=$((i+1)); done; echo all-started'], (c) => {
      c.linux.resources = { ...c.linux.resources, pids: { limit: 8 } };
    });
    expect(r.stderr).toContain("can't fork: Resource temporarily unavailable");
    expect(r.stdout).not.toContain('all-started');
  });

  it('applies rlimits and a raised oom score', () => {
    const out = sh('ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj', (c) => {
      c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 256, hard: 512 }];
      c.process.oomScoreAdj = 500;
    });
    expect(out).toBe('256\n512\n500\n');
  });
});
