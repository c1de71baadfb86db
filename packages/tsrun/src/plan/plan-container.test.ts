import { describe, expect, it } from 'vitest';
import { planContainer } from './plan-container.js';
import { MS } from './mount-flags.js';
import { hybridHost, runcSpec, tempBundle } from '../testdata/fixtures.js';

const bundle = tempBundle();
const plan = (config: unknown, extra: Partial<Parameters<typeof planContainer>[1]> = {}) =>
  planContainer(config, { id: 'c1', bundle, stateDir: '/run/tsrun/c1', host: hybridHost(), ...extra });

describe('planContainer on the runc default spec', () => {
  const p = plan(runcSpec());

  it('fills the top-level fields', () => {
    expect(p.planVersion).toBe(1);
    expect(p.id).toBe('c1');
    expect(p.bundle).toBe(bundle);
    expect(p.rootfs).toBe(`${bundle}/rootfs`);
    expect(p.rootfsReadonly).toBe(true);
    expect(p.rootfsPropagation).toBe(540672);
    expect(p.newKeyring).toBe(true);
    expect(p.noPivot).toBe(false);
    expect(p.hostname).toBe('runc');
    expect(p.domainname).toBeNull();
    expect(p.timeOffsets).toBeNull();
    expect(p.namespaces).toEqual(['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type, path: null })));
    expect(p.seccomp).toBeNull();
    expect(Object.values(p.hooks).every((h) => h.length === 0)).toBe(true);
  });

  it('translates the process', () => {
    const caps = 2 ** 29 + 2 ** 5 + 2 ** 10; // AUDIT_WRITE, KILL, NET_BIND_SERVICE
    expect(p.process).toEqual({
      terminal: true, consoleSize: null, args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/', uid: 0, gid: 0, umask: null, additionalGids: [],
      capabilities: { bounding: caps, effective: caps, inheritable: 0, permitted: caps, ambient: 0 },
      noNewPrivileges: true, rlimits: [{ resource: 7, soft: 1024, hard: 1024 }], oomScoreAdj: null, ioPriority: null,
    });
  });

  it('translates the mounts', () => {
    const byDest = Object.fromEntries(p.mounts.map((m) => [m.destination, m]));
    expect(byDest['/proc']).toMatchObject({ source: 'proc', type: 'proc', flags: 0, data: '', bind: false, createDir: true });
    expect(byDest['/dev']).toMatchObject({ flags: MS.NOSUID | MS.STRICTATIME, data: 'mode=755,size=65536k' });
    expect(byDest['/dev/pts']).toMatchObject({ flags: MS.NOSUID | MS.NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5' });
    expect(byDest['/sys']).toMatchObject({ flags: MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RDONLY });
    expect(byDest['/sys/fs/cgroup']).toMatchObject({ type: 'cgroup', flags: MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RELATIME | MS.RDONLY });
  });

  it('adds the default devices and passes masked and readonly paths', () => {
    expect(p.devices.map((d) => d.path)).toEqual(['/dev/null', '/dev/random', '/dev/full', '/dev/tty', '/dev/zero', '/dev/urandom']);
    expect(p.devices[0]).toEqual({ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 });
    expect(p.maskedPaths).toContain('/proc/kcore');
    expect(p.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('plans a v1 cgroup with the deny-all rule first and runc\'s defaults after', () => {
    expect(p.cgroup?.version).toBe(1);
    expect(p.cgroup?.dirs).toContain('/sys/fs/cgroup/memory/c1');
    expect(p.cgroup?.freezer).toBe('/sys/fs/cgroup/freezer/c1');
    const devices = p.cgroup!.writes.filter((w) => w.file.startsWith('devices.'));
    expect(devices[0]).toEqual({ dir: '/sys/fs/cgroup/devices/c1', file: 'devices.deny', value: 'a *:* rwm' });
    expect(devices.slice(1).map((w) => w.value)).toEqual([
      'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:8 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 1:5 rwm', 'c 1:9 rwm',
      'c 136:* rwm', 'c 5:2 rwm', 'c 10:200 rwm',
    ]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('planContainer options and translations', () => {
  it('honours noPivot and noNewKeyring', () => {
    const p = plan(runcSpec(), { noPivot: true, noNewKeyring: true });
    expect(p.noPivot).toBe(true);
    expect(p.newKeyring).toBe(false);
  });

  it('resolves relative bind sources against the bundle and detects file binds', () => {
    const c = runcSpec();
    c.mounts.push({ destination: '/data', source: 'data', options: ['rbind', 'ro', 'rprivate'] });
    c.mounts.push({ destination: '/etc/hosts', type: 'bind', source: 'hosts', options: ['rro'] });
    const p = plan(c);
    const [data, hosts] = p.mounts.slice(-2);
    expect(data).toMatchObject({ source: `${bundle}/data`, type: '', bind: true, recursive: true, flags: MS.RDONLY, propagation: [MS.PRIVATE | MS.REC], createDir: true });
    expect(hosts).toMatchObject({ source: `${bundle}/hosts`, bind: true, recursive: false, attrSet: 1, createDir: false });
  });

  it('passes sysctls, seccomp and hooks through', () => {
    const c = runcSpec();
    c.linux.sysctl = { 'net/ipv4/ip_forward': '1', 'kernel.shmmax': '1000' };
    c.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 5, op: 'SCMP_CMP_EQ' }] }],
    };
    c.hooks = { prestart: [{ path: '/bin/true', args: ['true', 'x'] }], poststop: [{ path: '/bin/false', timeout: 5 }] };
    const p = plan(c);
    expect(p.sysctl).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }, { key: 'kernel.shmmax', value: '1000' }]);
    expect(p.seccomp).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: null, architectures: ['SCMP_ARCH_X86_64'], flags: [],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 5, valueTwo: 0, op: 'SCMP_CMP_EQ' }] }],
    });
    expect(p.hooks.prestart).toEqual([{ path: '/bin/true', args: ['true', 'x'], env: [], timeout: null }]);
    expect(p.hooks.poststop).toEqual([{ path: '/bin/false', args: [], env: [], timeout: 5 }]);
  });

  it('maps user namespaces: device owners become the host root', () => {
    const c = runcSpec();
    c.linux.namespaces.push({ type: 'user' });
    c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    c.linux.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o620 }];
    const p = plan(c);
    expect(p.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const nul = p.devices.find((d) => d.path === '/dev/null');
    expect(nul).toEqual({ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o620, uid: 100000, gid: 200000 });
    expect(p.devices.filter((d) => d.path === '/dev/null')).toHaveLength(1);
  });

  it('translates rlimits, io priority, umask and time offsets', () => {
    const c = runcSpec();
    c.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 0, hard: 18446744073709551615 }];
    c.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 4 };
    c.process.user.umask = 0o22;
    c.linux.namespaces.push({ type: 'time' });
    c.linux.timeOffsets = { monotonic: { secs: 10 } };
    const p = plan(c);
    expect(p.process.rlimits).toEqual([{ resource: 4, soft: 0, hard: -1 }]);
    expect(p.process.ioPriority).toEqual({ class: 2, priority: 4 });
    expect(p.process.umask).toBe(18);
    expect(p.timeOffsets).toEqual({ monotonic: { secs: 10, nanosecs: 0 }, boottime: { secs: 0, nanosecs: 0 } });
  });
});
