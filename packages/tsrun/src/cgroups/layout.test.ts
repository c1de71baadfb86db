import { describe, expect, it } from 'vitest';
import { ownCgroupPath, parseMountinfo, parseProcCgroup } from './layout.js';
import { dirFor, parseCgroupsPath, pathChain } from './cgroup-paths.js';
import { MOUNTINFO_HYBRID, MOUNTINFO_V1_FULL, MOUNTINFO_V2, PROC_SELF_CGROUP_HYBRID } from '../testdata/fixtures.js';

describe('cgroup layout detection', () => {
  it('reads a hybrid host as v1, skipping named hierarchies', () => {
    const l = parseMountinfo(MOUNTINFO_HYBRID);
    expect(l.version).toBe(1);
    expect(l.hierarchies.map((h) => h.mountPoint)).toEqual(
      ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((c) => `/sys/fs/cgroup/${c}`),
    );
    expect(l.unified).toEqual({ mountPoint: '/sys/fs/cgroup/unified', root: '/' });
  });

  it('keeps co-mounted controllers together', () => {
    const l = parseMountinfo(MOUNTINFO_V1_FULL);
    expect(l.hierarchies.find((h) => h.controllers.includes('cpu'))).toEqual({
      mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/', controllers: ['cpu', 'cpuacct'],
    });
    expect(l.hierarchies).toHaveLength(9);
  });

  it('reads a unified host as v2', () => {
    expect(parseMountinfo(MOUNTINFO_V2)).toEqual({ version: 2, hierarchies: [], unified: { mountPoint: '/sys/fs/cgroup', root: '/' } });
    expect(parseMountinfo('').version).toBeNull();
  });

  it('unescapes mount points and ignores duplicate hierarchies', () => {
    const text = '1 0 0:1 / /a\\040b rw - cgroup cgroup rw,pids\n2 0 0:1 / /again rw - cgroup cgroup rw,pids\n';
    expect(parseMountinfo(text).hierarchies).toEqual([{ mountPoint: '/a b', root: '/', controllers: ['pids'] }]);
  });

  it('reads /proc/self/cgroup', () => {
    const self = parseProcCgroup(PROC_SELF_CGROUP_HYBRID);
    expect(ownCgroupPath(self, ['memory'])).toBe('/runner/job7');
    expect(ownCgroupPath(self, ['cpu', 'cpuacct'])).toBe('/');
    expect(ownCgroupPath(self, [])).toBe('/');
  });
});

describe('cgroupsPath resolution', () => {
  const self = parseProcCgroup(PROC_SELF_CGROUP_HYBRID);
  const memory = { mountPoint: '/sys/fs/cgroup/memory', root: '/' };

  it('puts an empty path at /<id>', () => {
    expect(dirFor(parseCgroupsPath(undefined, 'c1'), memory, ['memory'], self)).toBe('/sys/fs/cgroup/memory/c1');
  });

  it('puts an absolute path under the hierarchy root, cleaned', () => {
    expect(dirFor(parseCgroupsPath('/a/../../b/c', 'c1'), memory, ['memory'], self)).toBe('/sys/fs/cgroup/memory/b/c');
  });

  it('puts a relative path under the runtime\'s own cgroup', () => {
    expect(dirFor(parseCgroupsPath('x/y', 'c1'), memory, ['memory'], self)).toBe('/sys/fs/cgroup/memory/runner/job7/x/y');
    expect(dirFor(parseCgroupsPath('x', 'c1'), { mountPoint: '/m', root: '/runner' }, ['memory'], self)).toBe('/m/job7/x');
  });

  it('rejects the systemd form', () => {
    expect(() => parseCgroupsPath('user.slice:tsrun:c1', 'c1')).toThrow(/systemd cgroup driver/);
  });

  it('lists the chain of directories below a mount point', () => {
    expect(pathChain('/m', '/m/a/b')).toEqual(['/m/a', '/m/a/b']);
    expect(pathChain('/m', '/m')).toEqual([]);
  });
});
