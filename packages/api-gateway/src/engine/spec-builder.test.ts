import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '@tsrun/oci-spec';
import { CAPABILITY_NAMES } from '@tsrun/runtime';
import type { ContainerConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerConfig.js';
import type { HostConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
import type { MountSpec__Output } from '@tsrun/proto/generated/tsrun/engine/v1/MountSpec.js';
import { buildSpec, capabilitySet, commandOf, DEFAULT_CAPS, mergeEnv, mountPointsOf, type SpecInput } from './spec-builder.js';
import { thrownEngineError } from './thrown.js';

function config(over: Partial<ContainerConfig__Output> = {}): ContainerConfig__Output {
  return {
    image: 'busybox', cmd: [], entrypoint: [], entrypointSet: false, env: [], workingDir: '', user: '', hostname: '',
    tty: false, openStdin: false, labels: {}, stopSignal: '', stopTimeout: 0, ...over,
  };
}

function hostConfig(over: Partial<HostConfig__Output> = {}): HostConfig__Output {
  return {
    binds: [], mounts: [], portBindings: [], networkMode: '', memory: '0', nanoCpus: '0', pidsLimit: '0', restartPolicy: null,
    readOnlyRootfs: false, capAdd: [], capDrop: [], privileged: false, autoRemove: false, tmpfs: {}, ...over,
  };
}

function mountSpec(over: Partial<MountSpec__Output>): MountSpec__Output {
  return { type: 'bind', source: '', target: '', readOnly: false, tmpfsSize: '0', ...over };
}

function image(cfg: NonNullable<ImageConfig['config']> = {}): ImageConfig {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: cfg };
}

const volumeDir = (name: string): string => `/data/volumes/${name}/_data`;

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c0ffee', hostname: 'c0ffee12', config: config({ cmd: ['sh'] }), hostConfig: hostConfig(), image: image(),
    rootfs: '/data/containers/c0ffee/rootfs', containerDir: '/data/containers/c0ffee', user: { uid: 0, gid: 0, additionalGids: [] },
    volumeDir, netns: { kind: 'new' }, cgroupsPath: '/tsd/c0ffee', ...over,
  };
}

describe('capabilitySet', () => {
  it("is Docker's 14 default capabilities without flags", () => {
    expect(capabilitySet([], [], false).sort()).toEqual([
      'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
      'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
    ]);
  });

  it('adds and drops names with or without CAP_, in any case', () => {
    const caps = capabilitySet(['net_admin', 'CAP_SYS_PTRACE'], ['chown', 'Cap_Kill'], false);
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_PTRACE');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).not.toContain('CAP_KILL');
    expect(caps).toHaveLength(DEFAULT_CAPS.length);
  });

  it('does not list a capability twice when one already in the set is added', () => {
    expect(capabilitySet(['CHOWN'], [], false)).toHaveLength(DEFAULT_CAPS.length);
  });

  it('--cap-add ALL gives every capability, less the dropped ones', () => {
    const caps = capabilitySet(['ALL'], ['sys_admin'], false, [...CAPABILITY_NAMES]);
    expect(caps).toHaveLength(CAPABILITY_NAMES.length - 1);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
    expect(caps).toContain('CAP_BPF');
  });

  it('--cap-drop ALL keeps only the added ones', () => {
    expect(capabilitySet(['NET_BIND_SERVICE'], ['all'], false)).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(capabilitySet([], ['ALL'], false)).toEqual([]);
  });

  it('names the flag of an unknown capability', () => {
    const add = thrownEngineError(() => capabilitySet(['FLY'], [], false));
    expect(add.code).toBe('invalid_argument');
    expect(add.message).toBe('--cap-add: unknown capability "FLY"');
    const drop = thrownEngineError(() => capabilitySet([], ['CAP_NOPE'], false));
    expect(drop.code).toBe('invalid_argument');
    expect(drop.message).toBe('--cap-drop: unknown capability "CAP_NOPE"');
  });

  it('privileged is every capability whatever the flags say', () => {
    expect(capabilitySet([], ['ALL'], true, [...CAPABILITY_NAMES])).toEqual([...CAPABILITY_NAMES]);
  });

  it('never hands on a capability outside tsd\'s own bounding set (root here may lack some)', () => {
    const host = CAPABILITY_NAMES.filter((c) => c !== 'CAP_SYS_RESOURCE');
    expect(capabilitySet([], [], true, host)).not.toContain('CAP_SYS_RESOURCE');
    expect(capabilitySet(['ALL'], [], false, host)).toEqual(host);
  });
});

describe('mergeEnv', () => {
  it('lets a later KEY= replace an earlier one in its place', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4'], ['A=5'])).toEqual(['A=5', 'B=3', 'C=4']);
  });
});

describe('commandOf', () => {
  const img = image({ Entrypoint: ['/entry.sh'], Cmd: ['serve', '--port=80'] });

  it("is the image's Entrypoint then Cmd", () => {
    expect(commandOf(config(), img)).toEqual(['/entry.sh', 'serve', '--port=80']);
  });

  it('replaces only the Cmd when a command is given', () => {
    expect(commandOf(config({ cmd: ['version'] }), img)).toEqual(['/entry.sh', 'version']);
  });

  it("drops the image's Cmd when an entrypoint is given", () => {
    expect(commandOf(config({ entrypoint: ['/bin/echo'], entrypointSet: true }), img)).toEqual(['/bin/echo']);
    expect(commandOf(config({ entrypoint: ['/bin/echo'], entrypointSet: true, cmd: ['hi'] }), img)).toEqual(['/bin/echo', 'hi']);
  });

  it('clears the entrypoint with --entrypoint ""', () => {
    expect(commandOf(config({ entrypoint: [''], entrypointSet: true, cmd: ['ls', '-l'] }), img)).toEqual(['ls', '-l']);
  });

  it('fails when no command is left', () => {
    const err = thrownEngineError(() => commandOf(config({ entrypoint: [''], entrypointSet: true }), img));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/^no command specified/);
    expect(thrownEngineError(() => commandOf(config(), image())).code).toBe('invalid_argument');
  });
});

describe('mountPointsOf', () => {
  it('reads binds and named volumes from -v', () => {
    expect(mountPointsOf(hostConfig({ binds: ['/srv/www:/usr/share/www:ro', 'cache:/var/cache', '/etc/x:/x:rw,z'] }), volumeDir)).toEqual([
      { type: 'bind', name: '', source: '/srv/www', destination: '/usr/share/www', rw: false },
      { type: 'volume', name: 'cache', source: '/data/volumes/cache/_data', destination: '/var/cache', rw: true },
      { type: 'bind', name: '', source: '/etc/x', destination: '/x', rw: true },
    ]);
  });

  it.each([
    ['/a:relative', /the destination "relative" is not an absolute path/],
    ['/a:/b:rx', /unknown mode "rx"/],
    ['/a:/b:ro:extra', /want source:destination\[:ro\|rw\]/],
    ['/only-one-part', /want source:destination/],
    ['../up:/b', /is neither an absolute path nor a volume name/],
  ])('rejects -v %s naming -v', (bind, message) => {
    const err = thrownEngineError(() => mountPointsOf(hostConfig({ binds: [bind] }), volumeDir));
    expect(err.code).toBe('invalid_argument');
    expect(err.message.startsWith(`-v ${JSON.stringify(bind)}: `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('reads --mount bind, volume and tmpfs', () => {
    const mounts = [
      mountSpec({ type: 'bind', source: '/host', target: '/c', readOnly: true }),
      mountSpec({ type: 'volume', source: 'data', target: '/data' }),
      mountSpec({ type: 'tmpfs', target: '/scratch', tmpfsSize: '1048576' }),
      mountSpec({ type: 'tmpfs', target: '/t2' }),
    ];
    expect(mountPointsOf(hostConfig({ mounts }), volumeDir)).toEqual([
      { type: 'bind', name: '', source: '/host', destination: '/c', rw: false },
      { type: 'volume', name: 'data', source: '/data/volumes/data/_data', destination: '/data', rw: true },
      { type: 'tmpfs', name: '', source: 'size=1048576', destination: '/scratch', rw: true },
      { type: 'tmpfs', name: '', source: '', destination: '/t2', rw: true },
    ]);
  });

  it('rejects a bad --mount', () => {
    expect(thrownEngineError(() => mountPointsOf(hostConfig({ mounts: [mountSpec({ type: 'bind', source: 'rel', target: '/c' })] }), volumeDir)).message)
      .toBe('--mount type=bind source "rel": not an absolute path');
    expect(thrownEngineError(() => mountPointsOf(hostConfig({ mounts: [mountSpec({ type: 'bind', source: '/a', target: 'c' })] }), volumeDir)).message)
      .toBe('--mount target "c": not an absolute path');
    expect(thrownEngineError(() => mountPointsOf(hostConfig({ mounts: [mountSpec({ type: 'npipe', source: '/a', target: '/c' })] }), volumeDir)).message)
      .toBe('--mount type "npipe": want bind, volume or tmpfs');
  });

  it('reads the --tmpfs map', () => {
    expect(mountPointsOf(hostConfig({ tmpfs: { '/run': 'size=64m,mode=1777' } }), volumeDir)).toEqual([
      { type: 'tmpfs', name: '', source: 'size=64m,mode=1777', destination: '/run', rw: true },
    ]);
    expect(thrownEngineError(() => mountPointsOf(hostConfig({ tmpfs: { run: '' } }), volumeDir)).message).toBe('--tmpfs "run": not an absolute path');
  });

  it('refuses two mounts on one mount point, across -v, --mount and --tmpfs', () => {
    const err = thrownEngineError(() => mountPointsOf(hostConfig({ binds: ['/a:/c'], tmpfs: { '/c': '' } }), volumeDir));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe('duplicate mount point "/c"');
    expect(thrownEngineError(() => mountPointsOf(hostConfig({ binds: ['v:/d'], mounts: [mountSpec({ type: 'volume', source: 'w', target: '/d' })] }), volumeDir)).message)
      .toBe('duplicate mount point "/d"');
  });
});

describe('buildSpec', () => {
  it('runs the command with the defaults Docker gives a container', () => {
    const built = buildSpec(input({ image: image({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'] }), config: config() }));
    expect(built.path).toBe('/bin/sh');
    expect(built.args).toEqual(['-c', 'echo hi']);
    const { spec } = built;
    expect(spec.process?.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(spec.process?.cwd).toBe('/');
    expect(spec.process?.terminal).toBe(false);
    expect(spec.process?.noNewPrivileges).toBe(false);
    expect(spec.process?.user).toEqual({ uid: 0, gid: 0 });
    expect(spec.process?.capabilities?.bounding).toEqual(DEFAULT_CAPS);
    expect(spec.process?.capabilities?.effective).toEqual(DEFAULT_CAPS);
    expect(spec.process?.capabilities?.permitted).toEqual(DEFAULT_CAPS);
    expect(spec.process?.capabilities?.ambient).toBeUndefined();
    expect(spec.root).toEqual({ path: '/data/containers/c0ffee/rootfs', readonly: false });
    expect(spec.hostname).toBe('c0ffee12');
    expect(spec.annotations).toEqual({ 'tsd.container.id': 'c0ffee' });
    expect(spec.linux?.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux?.readonlyPaths).toContain('/proc/sys');
    expect(spec.mounts?.find((m) => m.destination === '/sys')?.options).toContain('ro');
    const devices = spec.linux?.resources?.devices ?? [];
    expect(devices[0]).toEqual({ allow: false, access: 'rwm' });
    expect(devices).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(devices).toContainEqual({ allow: true, type: 'c', major: 136, access: 'rwm' });
    expect(spec.linux?.resources?.memory).toBeUndefined();
    expect(spec.linux?.resources?.cpu).toBeUndefined();
    expect(spec.linux?.resources?.pids).toBeUndefined();
  });

  it('takes the working directory from the container, then the image, and wants it absolute', () => {
    expect(buildSpec(input({ image: image({ WorkingDir: '/app' }) })).spec.process?.cwd).toBe('/app');
    expect(buildSpec(input({ image: image({ WorkingDir: '/app' }), config: config({ cmd: ['sh'], workingDir: '/work' }) })).spec.process?.cwd).toBe('/work');
    expect(thrownEngineError(() => buildSpec(input({ config: config({ cmd: ['sh'], workingDir: 'rel' }) }))).message)
      .toBe('-w "rel": the working directory is not an absolute path');
  });

  it('merges env: PATH default, image env, HOSTNAME, TERM with a tty, user env last', () => {
    const env = buildSpec(input({
      image: image({ Env: ['PATH=/opt/bin:/bin', 'LANG=C', 'HOSTNAME=image'] }),
      config: config({ cmd: ['sh'], tty: true, env: ['LANG=en_US.UTF-8', 'EXTRA=1', 'TERM=dumb'] }),
    })).spec.process?.env;
    expect(env).toEqual(['PATH=/opt/bin:/bin', 'LANG=en_US.UTF-8', 'HOSTNAME=c0ffee12', 'TERM=dumb', 'EXTRA=1']);
  });

  it('gives the default PATH and no TERM without a tty', () => {
    expect(buildSpec(input()).spec.process?.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=c0ffee12',
    ]);
    const tty = buildSpec(input({ config: config({ cmd: ['sh'], tty: true }) })).spec;
    expect(tty.process?.env).toContain('TERM=xterm');
    expect(tty.process?.terminal).toBe(true);
  });

  it('passes the resolved user and additional groups', () => {
    expect(buildSpec(input({ user: { uid: 1000, gid: 100, additionalGids: [10, 20] } })).spec.process?.user)
      .toEqual({ uid: 1000, gid: 100, additionalGids: [10, 20] });
  });

  it('privileged: every capability, nothing masked or read-only, /sys writable, every device', () => {
    const { spec } = buildSpec(input({ hostConfig: hostConfig({ privileged: true }) }));
    const bounding = spec.process?.capabilities?.bounding ?? [];
    expect(bounding).toContain('CAP_SYS_ADMIN');
    expect(bounding.every((c) => (CAPABILITY_NAMES as readonly string[]).includes(c))).toBe(true);
    expect(spec.linux?.seccomp).toBeUndefined();
    expect(spec.linux?.maskedPaths).toEqual([]);
    expect(spec.linux?.readonlyPaths).toEqual([]);
    expect(spec.mounts?.find((m) => m.destination === '/sys')?.options).toEqual(['nosuid', 'noexec', 'nodev']);
    expect(spec.linux?.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
  });

  it('bind-mounts hosts, hostname and resolv.conf from the container directory', () => {
    const { spec } = buildSpec(input());
    for (const f of ['hosts', 'hostname', 'resolv.conf']) {
      expect(spec.mounts).toContainEqual({ destination: `/etc/${f}`, type: 'bind', source: `/data/containers/c0ffee/${f}`, options: ['rbind', 'rprivate'] });
    }
  });

  it('turns binds, volumes and tmpfs into OCI mounts', () => {
    const built = buildSpec(input({
      hostConfig: hostConfig({ binds: ['/srv:/srv:ro', 'cache:/cache'], tmpfs: { '/run': 'size=64m' }, mounts: [mountSpec({ type: 'tmpfs', target: '/ro', readOnly: true })] }),
    }));
    expect(built.mounts.map((m) => m.destination)).toEqual(['/srv', '/cache', '/ro', '/run']);
    const byDest = (d: string): unknown => built.spec.mounts?.find((m) => m.destination === d);
    expect(byDest('/srv')).toEqual({ destination: '/srv', type: 'bind', source: '/srv', options: ['rbind', 'rprivate', 'ro'] });
    expect(byDest('/cache')).toEqual({ destination: '/cache', type: 'bind', source: '/data/volumes/cache/_data', options: ['rbind', 'rprivate'] });
    expect(byDest('/run')).toEqual({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=64m'] });
    expect(byDest('/ro')).toEqual({ destination: '/ro', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'ro'] });
  });

  it('sets memory, CPU and pids limits', () => {
    const r = buildSpec(input({ hostConfig: hostConfig({ memory: String(64 * 1024 * 1024), nanoCpus: '1500000000', pidsLimit: '100' }) })).spec.linux?.resources;
    expect(r?.memory).toEqual({ limit: 64 * 1024 * 1024 });
    expect(r?.cpu).toEqual({ period: 100_000, quota: 150_000 });
    expect(r?.pids).toEqual({ limit: 100 });
  });

  it('gives a tiny CPU share the 1000 µs minimum quota', () => {
    expect(buildSpec(input({ hostConfig: hostConfig({ nanoCpus: '1000000' }) })).spec.linux?.resources?.cpu).toEqual({ period: 100_000, quota: 1000 });
  });

  it('rejects a memory limit under 6 MB and a malformed number', () => {
    const err = thrownEngineError(() => buildSpec(input({ hostConfig: hostConfig({ memory: String(6 * 1024 * 1024 - 1) }) })));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe('--memory 6291455: the minimum memory limit is 6MB');
    expect(buildSpec(input({ hostConfig: hostConfig({ memory: String(6 * 1024 * 1024) }) })).spec.linux?.resources?.memory).toEqual({ limit: 6 * 1024 * 1024 });
    expect(thrownEngineError(() => buildSpec(input({ hostConfig: hostConfig({ nanoCpus: '-5' }) }))).message).toMatch(/^HostConfig\.nano_cpus: "-5"/);
  });

  it('makes the root filesystem read-only on request', () => {
    expect(buildSpec(input({ hostConfig: hostConfig({ readOnlyRootfs: true }) })).spec.root?.readonly).toBe(true);
  });

  it('asks for a new network namespace, the host one, or joins a path', () => {
    const types = (s: SpecInput['netns']): unknown => buildSpec(input({ netns: s })).spec.linux?.namespaces;
    expect(types({ kind: 'new' })).toEqual([{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }]);
    expect(types({ kind: 'host' })).toEqual([{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]);
    expect(types({ kind: 'join', path: '/run/netns/other' })).toEqual([
      { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/other' },
    ]);
  });

  it('uses the given cgroups path', () => {
    expect(buildSpec(input({ cgroupsPath: '/tsd/abc' })).spec.linux?.cgroupsPath).toBe('/tsd/abc');
  });
});
