import { describe, expect, it } from 'vitest';
import { readStats } from './stats-read.js';
import { statsToRuncJson, stringifyBig } from './stats-json.js';
import { filterPsOutput } from '../runtime/container-processes.js';
import { parseCpuList, readPids, type CgroupReader } from './cgroup-files.js';
import type { PlanCgroup } from '../plan/plan-types.js';

const reader = (files: Record<string, string>): CgroupReader => ({
  read: (dir, file) => files[`${dir}/${file}`] ?? null,
  subdirs: (dir) => [...new Set(Object.keys(files).filter((k) => k.startsWith(`${dir}/`) && k.slice(dir.length + 1).includes('/')).map((k) => `${dir}/${k.slice(dir.length + 1).split('/')[0]}`))],
});

const v1: PlanCgroup = { version: 1, dirs: ['/cg/cpu/c1', '/cg/cpuacct/c1', '/cg/memory/c1', '/cg/pids/c1', '/cg/blkio/c1', '/cg/cpuset/c1'], freezer: null, writes: [], devices: null };

describe('stats', () => {
  it('reads v1 files into runc\'s event JSON', () => {
    const s = readStats(v1, reader({
      '/cg/cpuacct/c1/cpuacct.usage': '123456789\n',
      '/cg/cpuacct/c1/cpuacct.usage_percpu': '100 200 \n',
      '/cg/cpuacct/c1/cpuacct.stat': 'user 5\nsystem 3\n',
      '/cg/cpu/c1/cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
      '/cg/memory/c1/memory.stat': 'cache 4096\nrss 8192\n',
      '/cg/memory/c1/memory.usage_in_bytes': '12288\n',
      '/cg/memory/c1/memory.limit_in_bytes': '9223372036854771712\n',
      '/cg/memory/c1/memory.max_usage_in_bytes': '20000\n',
      '/cg/memory/c1/memory.failcnt': '0\n',
      '/cg/pids/c1/pids.current': '3\n',
      '/cg/pids/c1/pids.max': 'max\n',
      '/cg/blkio/c1/blkio.throttle.io_service_bytes_recursive': '8:0 Read 4096\n8:0 Write 0\nTotal 4096\n',
      '/cg/blkio/c1/blkio.throttle.io_serviced_recursive': '8:0 Read 1\nTotal 1\n',
      '/cg/cpuset/c1/cpuset.cpus': '0-2,5\n',
      '/cg/cpuset/c1/cpuset.mems': '0\n',
    }));
    const json = JSON.parse(stringifyBig(statsToRuncJson(s)).replace('9223372036854771712', '"big"'));
    expect(json.cpu).toEqual({ usage: { total: 123456789, percpu: [100, 200], kernel: 30000000, user: 50000000 }, throttling: {} });
    expect(json.memory.usage).toEqual({ limit: 'big', usage: 12288, max: 20000, failcnt: 0 });
    expect(json.memory.swap).toEqual({ limit: 0, failcnt: 0 });
    expect(json.memory.cache).toBe(4096);
    expect(json.memory.raw).toEqual({ cache: 4096, rss: 8192 });
    expect(json.pids).toEqual({ current: 3 });
    expect(json.blkio.ioServiceBytesRecursive).toEqual([{ major: 8, op: 'Read', value: 4096 }, { major: 8, op: 'Write' }]);
    expect(json.cpuset.cpus).toEqual([0, 1, 2, 5]);
    expect(json.network_interfaces).toBeNull();
    expect(stringifyBig({ a: 2n ** 64n - 1n })).toBe('{"a":18446744073709551615}');
  });

  it('reads v2 files', () => {
    const cg: PlanCgroup = { version: 2, dirs: ['/cg/c1'], freezer: '/cg/c1', writes: [], devices: [] };
    const s = readStats(cg, reader({
      '/cg/c1/cpu.stat': 'usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 2\nnr_throttled 1\nthrottled_usec 7\n',
      '/cg/c1/memory.current': '4096\n', '/cg/c1/memory.max': 'max\n', '/cg/c1/memory.stat': 'file 100\nanon 200\n',
      '/cg/c1/pids.current': '1\n', '/cg/c1/pids.max': '10\n',
      '/cg/c1/io.stat': '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n',
    }));
    expect(s.cpu.usage).toMatchObject({ total: 10000n, user: 6000n, kernel: 4000n });
    expect(s.cpu.throttling).toEqual({ periods: 2n, throttledPeriods: 1n, throttledTime: 7000n });
    expect(s.memory.usage).toMatchObject({ usage: 4096n, limit: 2n ** 64n - 1n });
    expect(s.memory.cache).toBe(100n);
    expect(s.pids).toEqual({ current: 1n, limit: 10n });
    expect(s.blkio.ioServicedRecursive.map((e) => `${e.op}=${e.value}`)).toEqual(['Read=1', 'Write=2']);
  });

  it('finds pids recursively and filters ps output', () => {
    expect(readPids(reader({ '/c/cgroup.procs': '1\n2\n', '/c/sub/cgroup.procs': '3\n' }), '/c')).toEqual([1, 2, 3]);
    expect(filterPsOutput('UID PID PPID CMD\nroot 1 0 init\nroot 42 1 sh\n', [42])).toEqual(['UID PID PPID CMD', 'root 42 1 sh']);
    expect(parseCpuList('')).toEqual([]);
  });
});
