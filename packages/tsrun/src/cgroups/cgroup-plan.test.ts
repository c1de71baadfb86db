import { describe, expect, it } from 'vitest';
import { detectHostCgroups, planCgroup } from './cgroup-plan.js';
import { blkioToIoWeight, sharesToWeight, swapMax } from './resources-v2.js';
import type { OciLinux } from '../plan/config-types.js';
import { fakeHost } from '../testdata/fake-host.js';
import { hybridHost, MOUNTINFO_V1_FULL, v2Host } from '../testdata/fixtures.js';

const RESOURCES: OciLinux['resources'] = {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728, swappiness: 10 },
  cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
  pids: { limit: 100 },
  blockIO: {
    weight: 300,
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
  },
  devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }],
};

const writesOf = (cg: ReturnType<typeof planCgroup>) => cg!.writes.map((w) => `${w.dir.replace('/sys/fs/cgroup/', '')} ${w.file}=${w.value}`);

describe('cgroup v1 plan', () => {
  const host = fakeHost({
    '/proc/self/mountinfo': MOUNTINFO_V1_FULL,
    '/proc/self/cgroup': '0::/\n',
    '/sys/fs/cgroup/cpuset/cpuset.cpus': '0-7\n',
    '/sys/fs/cgroup/cpuset/cpuset.mems': '0-1\n',
    '/sys/fs/cgroup/cpuset/tsrun/cpuset.cpus': '0-7\n',
    '/sys/fs/cgroup/cpuset/tsrun/cpuset.mems': '0-1\n',
    '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes': '9223372036854771712\n',
    '/sys/fs/cgroup/blkio/blkio.weight': '500\n',
  }, { dirs: ['/sys/fs/cgroup/cpuset/tsrun'] });

  it('creates one directory per hierarchy and orders the writes', () => {
    const cg = planCgroup({ cgroupsPath: '/tsrun/c1', resources: RESOURCES, hugepageLimits: undefined } as OciLinux, 'c1', host);
    expect(cg!.version).toBe(1);
    expect(cg!.dirs).toEqual([
      '/sys/fs/cgroup/cpu,cpuacct/tsrun/c1', '/sys/fs/cgroup/memory/tsrun/c1', '/sys/fs/cgroup/net_cls,net_prio/tsrun/c1',
      '/sys/fs/cgroup/hugetlb/tsrun/c1', '/sys/fs/cgroup/cpuset/tsrun/c1', '/sys/fs/cgroup/devices/tsrun/c1',
      '/sys/fs/cgroup/freezer/tsrun/c1', '/sys/fs/cgroup/blkio/tsrun/c1', '/sys/fs/cgroup/pids/tsrun/c1',
    ]);
    expect(cg!.freezer).toBe('/sys/fs/cgroup/freezer/tsrun/c1');
    expect(cg!.devices).toBeNull();
    const w = writesOf(cg);
    expect(w.slice(0, 6)).toEqual([
      // the new leaf inherits the existing parent's cpus/mems before its own are set
      'cpuset/tsrun/c1 cpuset.cpus=0-7', 'cpuset/tsrun/c1 cpuset.mems=0-1',
      'cpuset/tsrun/c1 cpuset.cpus=0-1', 'cpuset/tsrun/c1 cpuset.mems=0',
      'cpu,cpuacct/tsrun/c1 cpu.shares=512', 'cpu,cpuacct/tsrun/c1 cpu.cfs_period_us=100000',
    ]);
    expect(cg!.writes[0]!.dir).toBe('/sys/fs/cgroup/cpuset/tsrun/c1');
    expect(w).toContain('cpu,cpuacct/tsrun/c1 cpu.cfs_quota_us=50000');
    expect(w.filter((x) => x.startsWith('devices/'))).toEqual([
      'devices/tsrun/c1 devices.deny=a *:* rwm', 'devices/tsrun/c1 devices.allow=c 1:3 rw',
      'devices/tsrun/c1 devices.allow=c *:* m', 'devices/tsrun/c1 devices.allow=b *:* m',
      ...['1:3', '1:8', '1:7', '5:0', '1:5', '1:9', '136:*', '5:2', '10:200'].map((d) => `devices/tsrun/c1 devices.allow=c ${d} rwm`),
    ]);
    expect(w.filter((x) => x.startsWith('memory/'))).toEqual([
      'memory/tsrun/c1 memory.limit_in_bytes=67108864', 'memory/tsrun/c1 memory.memsw.limit_in_bytes=134217728',
      'memory/tsrun/c1 memory.soft_limit_in_bytes=33554432', 'memory/tsrun/c1 memory.swappiness=10',
    ]);
    expect(w).toContain('pids/tsrun/c1 pids.max=100');
    expect(w).toContain('blkio/tsrun/c1 blkio.weight=300');
    expect(w).toContain('blkio/tsrun/c1 blkio.throttle.read_bps_device=8:0 1048576');
    expect(w).toContain('blkio/tsrun/c1 blkio.throttle.write_iops_device=8:0 100');
  });

  it('writes hugetlb, net_cls and net_prio when mounted, and "max" pids for -1', () => {
    const cg = planCgroup({
      resources: { pids: { limit: -1 }, hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }], network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 5 }] } },
    }, 'c2', host);
    const w = writesOf(cg);
    expect(w).toContain('pids/c2 pids.max=max');
    expect(w).toContain('hugetlb/c2 hugetlb.2MB.limit_in_bytes=4194304');
    expect(w).toContain('net_cls,net_prio/c2 net_cls.classid=1048577');
    expect(w).toContain('net_cls,net_prio/c2 net_prio.ifpriomap=eth0 5');
  });

  it('reads 0 as "not set" for pids and blkio weights, as runc does (Docker sends them)', () => {
    const cg = planCgroup({ resources: { pids: { limit: 0 }, blockIO: { weight: 0, leafWeight: 0 } } }, 'c4', host);
    expect(writesOf(cg).filter((w) => /pids\.max|blkio/.test(w))).toEqual([]);
  });

  it('names blockIO.weight when this host has no blkio weights', () => {
    const noWeights = fakeHost({ '/proc/self/mountinfo': MOUNTINFO_V1_FULL, '/proc/self/cgroup': '0::/\n' });
    expect(() => planCgroup({ resources: { blockIO: { weight: 300 } } }, 'c5', noWeights)).toThrow(
      'config.json: /linux/resources/blockIO/weight: blkio weights are not available on this host (no blkio.weight)',
    );
  });

  it('copies cpuset parents into every new intermediate directory', () => {
    const cg = planCgroup({ cgroupsPath: '/a/b' }, 'c3', hybridHost());
    expect(writesOf(cg).slice(0, 4)).toEqual([
      'cpuset/a cpuset.cpus=0-3', 'cpuset/a cpuset.mems=0', 'cpuset/a/b cpuset.cpus=0-3', 'cpuset/a/b cpuset.mems=0',
    ]);
  });

  it('names the field when a controller or file is missing on this host', () => {
    expect(() => planCgroup({ resources: { network: { classID: 1 } } }, 'c4', hybridHost())).toThrow(
      'config.json: /linux/resources/network/classID: the net_cls controller is not available on this host',
    );
    expect(() => planCgroup({ resources: { memory: { limit: 1 << 20, swap: 2 << 20 } } }, 'c4', hybridHost())).toThrow(
      'config.json: /linux/resources/memory/swap: swap accounting (memory.memsw.*) is not enabled on this host',
    );
    expect(() => planCgroup({ resources: { cpu: { idle: 1 } } }, 'c4', hybridHost())).toThrow('/linux/resources/cpu/idle: cpu.idle needs cgroup v2');
  });

  it('raises memsw before memory when swap is unlimited', () => {
    const cg = planCgroup({ resources: { memory: { limit: -1 } } }, 'c5', host);
    expect(writesOf(cg).filter((x) => x.startsWith('memory/'))).toEqual([
      'memory/c5 memory.memsw.limit_in_bytes=-1', 'memory/c5 memory.limit_in_bytes=-1',
    ]);
  });
});

describe('a relative cgroupsPath', () => {
  // a resident planner (in its own cgroup) plans for callers in other cgroups
  const host = hybridHost({ '/proc/4242/cgroup': '4:memory:/caller/job\n8:pids:/caller\n0::/\n' });

  it('is under the cgroup of the calling process, not the planner\'s', () => {
    const cg = planCgroup({ cgroupsPath: 'ctr' }, 'c1', host, detectHostCgroups(host, 4242));
    expect(cg!.dirs).toContain('/sys/fs/cgroup/memory/caller/job/ctr');
    expect(cg!.dirs).toContain('/sys/fs/cgroup/pids/caller/ctr');
    expect(planCgroup({ cgroupsPath: 'ctr' }, 'c1', host)!.dirs).toContain('/sys/fs/cgroup/memory/runner/job7/ctr');
  });

  it('fails when the caller is gone', () => {
    expect(() => detectHostCgroups(host, 4343)).toThrow('read /proc/4343/cgroup: the caller (pid 4343) is gone');
  });
});

describe('cgroup v2 plan', () => {
  it('plans the one directory, converted values and the device program', () => {
    const cg = planCgroup({ cgroupsPath: 'ctr', resources: { ...RESOURCES, memory: { limit: 67108864, swap: 134217728, reservation: 1024 }, hugepageLimits: [{ pageSize: '1GB', limit: 0 }], unified: { 'memory.high': '50000000' } } }, 'c1', v2Host());
    expect(cg!.version).toBe(2);
    expect(cg!.dirs).toEqual(['/sys/fs/cgroup/user.slice/session-1.scope/ctr']);
    expect(cg!.freezer).toBe('/sys/fs/cgroup/user.slice/session-1.scope/ctr');
    const d = 'user.slice/session-1.scope/ctr';
    expect(writesOf(cg)).toEqual([
      '/sys/fs/cgroup cgroup.subtree_control=+cpuset +hugetlb +io',
      'user.slice cgroup.subtree_control=+cpu +cpuset +hugetlb +io +memory +pids',
      'user.slice/session-1.scope cgroup.subtree_control=+cpu +cpuset +hugetlb +io +memory +pids',
      `${d} cpuset.cpus=0-1`, `${d} cpuset.mems=0`, `${d} cpu.weight=${sharesToWeight(512)}`, `${d} cpu.max=50000 100000`,
      `${d} memory.swap.max=67108864`, `${d} memory.max=67108864`, `${d} memory.low=1024`, `${d} pids.max=100`,
      `${d} io.weight=${blkioToIoWeight(300)}`, `${d} io.max=8:0 rbps=1048576`, `${d} io.max=8:0 wiops=100`,
      `${d} hugetlb.1GB.max=0`, `${d} memory.high=50000000`,
    ]);
    expect(cg!.devices).toEqual([
      { allow: false, type: 'a', major: -1, minor: -1, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
      { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
      { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
      ...[[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [136, -1], [5, 2], [10, 200]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
    ]);
  });

  it('converts like runc', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(1000)).toBe(10000);
    expect(swapMax(200, 100, '/f')).toBe('100');
    expect(swapMax(-1, 100, '/f')).toBe('max');
    expect(swapMax(undefined, -1, '/f')).toBe('max');
    expect(swapMax(undefined, 100, '/f')).toBeNull();
    expect(() => swapMax(50, 100, '/f')).toThrow('memory+swap (50) must be at least the memory limit (100)');
    expect(() => swapMax(50, undefined, '/f')).toThrow('a swap limit needs a memory limit');
  });

  it('rejects v1-only settings and missing controllers with their field', () => {
    expect(() => planCgroup({ resources: { memory: { swappiness: 0 } } }, 'c', v2Host())).toThrow('/linux/resources/memory/swappiness: memory.swappiness needs cgroup v1');
    expect(() => planCgroup({ resources: { cpu: { realtimeRuntime: 5 } } }, 'c', v2Host())).toThrow('/linux/resources/cpu/realtimeRuntime: realtime CPU limits need cgroup v1');
    expect(() => planCgroup({ resources: { network: { classID: 1 } } }, 'c', v2Host())).toThrow('/linux/resources/network: net_cls and net_prio are not available on cgroup v2');
    expect(() => planCgroup({ resources: { unified: { 'foo.bar': '1' } } }, 'c', v2Host())).toThrow('config.json: /linux/resources/unified/foo.bar: the foo controller is not available on this host');
    expect(() => planCgroup({ resources: { unified: { 'cgroup.procs': '1' } } }, 'c', v2Host())).toThrow('cgroup.procs is managed by tsrun');
  });

  it('needs no subtree writes when nothing is limited', () => {
    const cg = planCgroup({}, 'c', v2Host());
    expect(cg!.writes).toEqual([]);
    expect(cg!.dirs).toEqual(['/sys/fs/cgroup/c']);
  });
});
