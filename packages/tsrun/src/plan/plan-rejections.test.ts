import { describe, expect, it } from 'vitest';
import { isEngineError } from '@tsrun/oci-spec';
import { planContainer } from './plan-container.js';
import { hybridHost, runcSpec, tempBundle } from '../testdata/fixtures.js';

const bundle = tempBundle();

type Spec = ReturnType<typeof runcSpec>;

/** Each case edits the runc spec and expects this exact error message. */
const CASES: Array<[string, (c: Spec) => void, string]> = [
  ['schema: wrong type', (c) => (c.process.args = [1]), 'config.json: /process/args/0: must be string'],
  ['schema: missing cwd', (c) => delete c.process.cwd, "config.json: /process: must have required property 'cwd'"],
  ['empty args', (c) => (c.process.args = []), 'config.json: /process/args: must NOT have fewer than 1 items'],
  ['relative cwd', (c) => (c.process.cwd = 'tmp'), 'config.json: /process/cwd: "tmp" is not an absolute path'],
  ['relative mount destination', (c) => (c.mounts[0].destination = 'proc'), 'config.json: /mounts/0/destination: "proc" is not an absolute path'],
  ['duplicate namespace', (c) => c.linux.namespaces.push({ type: 'pid' }), 'config.json: /linux/namespaces/5: duplicate pid namespace'],
  ['net sysctl without netns', (c) => {
    c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'network');
    c.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
  }, "config.json: /linux/sysctl/net.ipv4.ip_forward: net.ipv4.ip_forward needs a network namespace (it would change the host's)"],
  ['ipc sysctl without ipcns', (c) => {
    c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'ipc');
    c.linux.sysctl = { 'fs.mqueue.msg_max': '10' };
  }, "config.json: /linux/sysctl/fs.mqueue.msg_max: fs.mqueue.msg_max needs an ipc namespace (it would change the host's)"],
  ['host sysctl', (c) => (c.linux.sysctl = { 'vm.swappiness': '1' }), 'config.json: /linux/sysctl/vm.swappiness: vm.swappiness is not in a separate kernel namespace'],
  ['kernel.hostname sysctl', (c) => (c.linux.sysctl = { 'kernel.hostname': 'x' }), 'config.json: /linux/sysctl/kernel.hostname: kernel.hostname conflicts with the hostname field; set hostname instead'],
  ['hostname without uts', (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'uts')), 'config.json: /hostname: setting the hostname needs a uts namespace'],
  ['mappings without userns', (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), 'config.json: /linux/uidMappings: id mappings need a user namespace'],
  ['userns without mappings', (c) => c.linux.namespaces.push({ type: 'user' }), 'config.json: /linux/uidMappings: a new user namespace needs uid and gid mappings'],
  ['apparmor', (c) => (c.process.apparmorProfile = 'docker-default'), 'config.json: /process/apparmorProfile: AppArmor is not available on this host'],
  ['selinux label', (c) => (c.process.selinuxLabel = 'system_u:system_r:container_t:s0'), 'config.json: /process/selinuxLabel: SELinux is not supported by tsrun'],
  ['mount label', (c) => (c.linux.mountLabel = 'system_u:object_r:container_file_t:s0'), 'config.json: /linux/mountLabel: SELinux is not supported by tsrun'],
  ['scheduler', (c) => (c.process.scheduler = { policy: 'SCHED_FIFO', priority: 1 }), 'config.json: /process/scheduler: scheduling policies (sched_setattr) are not supported by tsrun'],
  ['exec cpu affinity', (c) => (c.process.execCPUAffinity = { initial: '0' }), 'config.json: /process/execCPUAffinity: exec CPU affinity is not supported by tsrun'],
  ['intelRdt', (c) => (c.linux.intelRdt = { closID: 'x' }), 'config.json: /linux/intelRdt: Intel RDT is not supported by tsrun'],
  ['personality', (c) => (c.linux.personality = { domain: 'LINUX32' }), 'config.json: /linux/personality: personality(2) domains are not supported by tsrun'],
  ['seccomp notify', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }), 'config.json: /linux/seccomp/syscalls/0/action: seccomp user notification is not supported by tsrun'],
  ['seccomp listener', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/x.sock' }), 'config.json: /linux/seccomp/listenerPath: seccomp user notification is not supported by tsrun'],
  ['idmap option', (c) => c.mounts.push({ destination: '/x', source: '/tmp', options: ['rbind', 'idmap'] }), 'config.json: /mounts/7/options/1: idmap: id-mapped mounts are not supported by tsrun'],
  ['mount uidMappings', (c) => c.mounts.push({ destination: '/x', source: '/tmp', options: ['bind'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }), 'config.json: /mounts/7/uidMappings: id-mapped mounts are not supported by tsrun'],
  ['rdma', (c) => (c.linux.resources.rdma = { mlx5_1: { hcaHandles: 3 } }), 'config.json: /linux/resources/rdma: the rdma cgroup controller is not supported by tsrun'],
  ['netDevices', (c) => (c.linux.netDevices = { eth1: {} }), 'config.json: /linux/netDevices: moving network devices into the container is not supported by tsrun'],
  ['memoryPolicy', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }), 'config.json: /linux/memoryPolicy: NUMA memory policies are not supported by tsrun'],
  ['unknown capability', (c) => c.process.capabilities.effective.push('CAP_FLY'), 'config.json: /process/capabilities/effective/3: unknown capability "CAP_FLY"'],
  ['duplicate rlimit', (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }), 'config.json: /process/rlimits/1/type: duplicate rlimit RLIMIT_NOFILE'],
  ['unknown rlimit', (c) => (c.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]), 'config.json: /process/rlimits/0/type: unknown rlimit "RLIMIT_FOO"'],
  ['systemd cgroups path', (c) => (c.linux.cgroupsPath = 'system.slice:docker:abc'), 'config.json: /linux/cgroupsPath: "system.slice:docker:abc": the systemd cgroup driver ("slice:prefix:name") is not supported by tsrun'],
  ['hugetlb missing on host', (c) => (c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 1 }]), 'config.json: /linux/resources/hugepageLimits: the hugetlb controller is not available on this host'],
  ['unified on v1', (c) => (c.linux.resources.unified = { 'memory.high': '1' }), 'config.json: /linux/resources/unified: unified (cgroup v2) settings cannot be applied on this cgroup v1 host'],
  ['missing rootfs', (c) => (c.root.path = 'nope'), `config.json: /root/path: ${bundle}/nope does not exist`],
  ['windows section', (c) => (c.windows = { layerFolders: ['x'] }), 'config.json: /windows: tsrun runs Linux containers only'],
  ['relative hook', (c) => (c.hooks = { poststart: [{ path: 'hook' }] }), 'config.json: /hooks/poststart/0/path: "hook" is not an absolute path'],
];

describe('planContainer rejects with the JSON path and the reason', () => {
  it.each(CASES)('%s', (_name, edit, message) => {
    const c = runcSpec();
    edit(c);
    let caught: unknown;
    try {
      planContainer(c, { id: 'c1', bundle, stateDir: '/run/tsrun/c1', host: hybridHost() });
    } catch (err) {
      caught = err;
    }
    expect(isEngineError(caught) && caught.code).toBe('invalid_argument');
    expect((caught as Error).message).toBe(message);
  });

  it('rejects an invalid container id', () => {
    expect(() => planContainer(runcSpec(), { id: '../x', bundle, stateDir: '/s', host: hybridHost() })).toThrow(/^id: \/: container id/);
  });
});

describe('planContainer ignores deprecated fields with a warning', () => {
  it('warns about kernel memory limits and plans the rest', () => {
    const c = runcSpec();
    c.linux.resources = { memory: { limit: 67108864, kernel: 1048576, kernelTCP: 1048576 } };
    const warnings: string[] = [];
    const p = planContainer(c, { id: 'c1', bundle, stateDir: '/run/tsrun/c1', host: hybridHost(), warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'config.json: /linux/resources/memory/kernel: ignored: kernel memory limits are deprecated (runtime-spec) and no longer enforced by the kernel',
      'config.json: /linux/resources/memory/kernelTCP: ignored: kernel TCP memory limits are deprecated (runtime-spec)',
    ]);
    expect(p.cgroup?.writes.map((w) => w.file)).toContain('memory.limit_in_bytes');
    expect(p.cgroup?.writes.map((w) => w.file).filter((f) => f.startsWith('memory.kmem'))).toEqual([]);
  });
});
