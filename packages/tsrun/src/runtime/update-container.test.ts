import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeWrites, updateContainer } from './update-container.js';
import { detectHostCgroups } from '../cgroups/cgroup-plan.js';
import { stateDirFor } from '../testdata/state-dir.js';
import { hybridHost } from '../testdata/fixtures.js';
import { fakeHost } from '../testdata/fake-host.js';

describe('update', () => {
  it('writes the changed limits to the live cgroup and records them in plan.json', () => {
    const { stateDir } = stateDirFor();
    const written: string[] = [];
    const host = fakeHost({ '/proc/self/mountinfo': hybridHost().readFile('/proc/self/mountinfo')!, '/proc/self/cgroup': '0::/\n' });
    const writes = updateContainer(stateDir, { memory: { limit: 1 << 26 }, pids: { limit: 50 }, cpu: { quota: 20000, period: 100000 } }, {
      host, cgroups: detectHostCgroups(host), writer: (d, f, v) => void written.push(`${d}/${f}=${v}`),
    });
    expect(written).toEqual([
      '/sys/fs/cgroup/cpu/c1/cpu.cfs_period_us=100000', '/sys/fs/cgroup/cpu/c1/cpu.cfs_quota_us=20000',
      '/sys/fs/cgroup/memory/c1/memory.limit_in_bytes=67108864', '/sys/fs/cgroup/pids/c1/pids.max=50',
    ]);
    expect(writes).toHaveLength(4);
    const plan = JSON.parse(readFileSync(join(stateDir, 'plan.json'), 'utf8'));
    expect(plan.cgroup.writes).toContainEqual({ dir: '/sys/fs/cgroup/pids/c1', file: 'pids.max', value: '50' });
  });

  it('replaces earlier writes to the same file', () => {
    expect(mergeWrites(
      [{ dir: '/a', file: 'pids.max', value: '1' }, { dir: '/a', file: 'x', value: '1' }],
      [{ dir: '/a', file: 'pids.max', value: '2' }, { dir: '/a', file: 'y', value: '3' }],
    )).toEqual([{ dir: '/a', file: 'pids.max', value: '2' }, { dir: '/a', file: 'x', value: '1' }, { dir: '/a', file: 'y', value: '3' }]);
  });
});
