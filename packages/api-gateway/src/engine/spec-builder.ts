/**
 * A container's OCI runtime config from its image config and Docker-style
 * create options, with Docker's defaults: its capability set, masked and
 * read-only paths, default device rules, /etc/hosts, resolv.conf and hostname
 * from the container's directory, binds, named volumes and tmpfs mounts, and
 * memory, CPU and pids limits. Pure: the caller resolves volumes and users.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { EngineError, type ImageConfig, type RuntimeConfig } from '@tsrun/oci-spec';
import { CAPABILITY_NAMES, defaultSpec } from '@tsrun/runtime';
import type { ContainerConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerConfig.js';
import type { HostConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
import type { MountPoint__Output } from '@tsrun/proto/generated/tsrun/engine/v1/MountPoint.js';
import { seccompProfile } from './seccomp-profile.js';
import type { ResolvedUser } from './user.js';

/** Docker's default capability set. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CPU_PERIOD = 100_000;

export type NetnsChoice = { kind: 'new' } | { kind: 'host' } | { kind: 'join'; path: string };

export interface SpecInput {
  id: string;
  hostname: string;
  config: ContainerConfig__Output;
  hostConfig: HostConfig__Output;
  image: ImageConfig;
  rootfs: string;
  /** holds hosts, resolv.conf and hostname, bind-mounted into the container */
  containerDir: string;
  user: ResolvedUser;
  /** a named volume's directory on the host */
  volumeDir: (name: string) => string;
  netns: NetnsChoice;
  cgroupsPath: string;
}

export interface BuiltSpec {
  spec: RuntimeConfig;
  path: string;
  args: string[];
  mounts: MountPoint__Output[];
}

function capName(flag: string, value: string): string {
  const upper = value.toUpperCase();
  const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) {
    throw new EngineError('invalid_argument', `${flag}: unknown capability ${JSON.stringify(value)}`);
  }
  return name;
}

/**
 * The capabilities tsd can hand on: those in its own bounding set (root here may lack
 * some, and the kernel may know fewer than we name); a set beyond it fails with EPERM.
 */
function hostCapabilities(): string[] {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapBnd:'));
    if (line) {
      const mask = BigInt(`0x${line.slice('CapBnd:'.length).trim()}`);
      return CAPABILITY_NAMES.filter((_, i) => (mask >> BigInt(i)) & 1n);
    }
  } catch {
    // no procfs: every known one
  }
  return [...CAPABILITY_NAMES];
}

export function capabilitySet(add: readonly string[], drop: readonly string[], privileged: boolean, host: readonly string[] = hostCapabilities()): string[] {
  if (privileged) return [...host];
  const all = (list: readonly string[]): boolean => list.some((c) => c.toUpperCase() === 'ALL');
  let caps = all(add) ? [...host] : [...DEFAULT_CAPS];
  for (const c of add) if (c.toUpperCase() !== 'ALL') caps.push(capName('--cap-add', c));
  if (all(drop)) caps = add.filter((c) => c.toUpperCase() !== 'ALL').map((c) => capName('--cap-add', c));
  else {
    const dropped = new Set(drop.map((c) => capName('--cap-drop', c)));
    caps = caps.filter((c) => !dropped.has(c));
  }
  return [...new Set(caps)];
}

/** Image env, then the container's: a later KEY= replaces an earlier one. */
export function mergeEnv(...lists: readonly (readonly string[])[]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const kv of list) {
      const eq = kv.indexOf('=');
      out.set(eq < 0 ? kv : kv.slice(0, eq), kv);
    }
  }
  return [...out.values()];
}

/** Docker's rule: an entrypoint given on create drops the image's cmd too. */
export function commandOf(config: ContainerConfig__Output, image: ImageConfig): string[] {
  const ic = image.config ?? {};
  const entrypoint = config.entrypointSet ? config.entrypoint.filter((a, i, all) => !(all.length === 1 && a === '')) : ic.Entrypoint ?? [];
  const cmd = config.cmd.length > 0 ? config.cmd : config.entrypointSet ? [] : ic.Cmd ?? [];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw new EngineError('invalid_argument', 'no command specified: the image has no Entrypoint or Cmd, and none was given');
  return args;
}

function parseBind(bind: string, volumeDir: (name: string) => string): MountPoint__Output {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3) throw new EngineError('invalid_argument', `-v ${JSON.stringify(bind)}: want source:destination[:ro|rw]`);
  const [source = '', destination = '', mode = 'rw'] = parts;
  if (!isAbsolute(destination)) throw new EngineError('invalid_argument', `-v ${JSON.stringify(bind)}: the destination ${JSON.stringify(destination)} is not an absolute path`);
  const modes = mode.split(',');
  for (const m of modes) if (!['ro', 'rw', 'z', 'Z', 'rprivate', 'private', 'rslave', 'slave', 'rshared', 'shared'].includes(m)) {
    throw new EngineError('invalid_argument', `-v ${JSON.stringify(bind)}: unknown mode ${JSON.stringify(m)}`);
  }
  const rw = !modes.includes('ro');
  if (isAbsolute(source)) return { type: 'bind', name: '', source, destination, rw };
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) throw new EngineError('invalid_argument', `-v ${JSON.stringify(bind)}: ${JSON.stringify(source)} is neither an absolute path nor a volume name`);
  return { type: 'volume', name: source, source: volumeDir(source), destination, rw };
}

/** Every mount a container asks for, as inspect shows them; volumes resolved to their directories. */
export function mountPointsOf(hostConfig: HostConfig__Output, volumeDir: (name: string) => string): MountPoint__Output[] {
  const out = hostConfig.binds.map((b) => parseBind(b, volumeDir));
  for (const m of hostConfig.mounts) {
    if (!isAbsolute(m.target)) throw new EngineError('invalid_argument', `--mount target ${JSON.stringify(m.target)}: not an absolute path`);
    if (m.type === 'bind') {
      if (!isAbsolute(m.source)) throw new EngineError('invalid_argument', `--mount type=bind source ${JSON.stringify(m.source)}: not an absolute path`);
      out.push({ type: 'bind', name: '', source: m.source, destination: m.target, rw: !m.readOnly });
    } else if (m.type === 'volume') {
      out.push({ type: 'volume', name: m.source, source: volumeDir(m.source), destination: m.target, rw: !m.readOnly });
    } else if (m.type === 'tmpfs') {
      out.push({ type: 'tmpfs', name: '', source: m.tmpfsSize !== '0' ? `size=${m.tmpfsSize}` : '', destination: m.target, rw: !m.readOnly });
    } else {
      throw new EngineError('invalid_argument', `--mount type ${JSON.stringify(m.type)}: want bind, volume or tmpfs`);
    }
  }
  for (const [path, opts] of Object.entries(hostConfig.tmpfs)) {
    if (!isAbsolute(path)) throw new EngineError('invalid_argument', `--tmpfs ${JSON.stringify(path)}: not an absolute path`);
    out.push({ type: 'tmpfs', name: '', source: opts, destination: path, rw: true });
  }
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.destination)) throw new EngineError('invalid_argument', `duplicate mount point ${JSON.stringify(m.destination)}`);
    seen.add(m.destination);
  }
  return out;
}

function ociMount(m: MountPoint__Output): NonNullable<RuntimeConfig['mounts']>[number] {
  if (m.type === 'tmpfs') {
    const opts = ['nosuid', 'nodev', 'noexec', ...m.source.split(',').filter((o) => o !== '')];
    if (!m.rw) opts.push('ro');
    return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: opts };
  }
  return { destination: m.destination, type: 'bind', source: m.source, options: ['rbind', 'rprivate', ...(m.rw ? [] : ['ro'])] };
}

function int(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new EngineError('invalid_argument', `${field}: ${JSON.stringify(value)} is not a non-negative integer`);
  return n;
}

function resources(hc: HostConfig__Output, privileged: boolean): NonNullable<NonNullable<RuntimeConfig['linux']>['resources']> {
  const r: NonNullable<NonNullable<RuntimeConfig['linux']>['resources']> = {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : [
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' },
      ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
      { allow: true, type: 'c', major: 136, access: 'rwm' },
    ],
  };
  const memory = int(hc.memory, 'HostConfig.memory');
  if (memory > 0) {
    if (memory < 6 * 1024 * 1024) throw new EngineError('invalid_argument', `--memory ${memory}: the minimum memory limit is 6MB`);
    r.memory = { limit: memory };
  }
  const nano = int(hc.nanoCpus, 'HostConfig.nano_cpus');
  if (nano > 0) r.cpu = { period: CPU_PERIOD, quota: Math.max(1000, Math.round((nano * CPU_PERIOD) / 1e9)) };
  const pids = Number(hc.pidsLimit);
  if (pids > 0) r.pids = { limit: pids };
  return r;
}

export function buildSpec(input: SpecInput): BuiltSpec {
  const { config, hostConfig: hc, image } = input;
  const ic = image.config ?? {};
  const args = commandOf(config, image);
  const privileged = hc.privileged;
  const caps = capabilitySet(hc.capAdd, hc.capDrop, privileged);
  const mounts = mountPointsOf(hc, input.volumeDir);
  const spec = defaultSpec();
  const env = mergeEnv([DEFAULT_PATH], ic.Env ?? [], [`HOSTNAME=${input.hostname}`], config.tty ? ['TERM=xterm'] : [], config.env);
  spec.process = {
    ...spec.process!,
    terminal: config.tty,
    args,
    env,
    cwd: config.workingDir || ic.WorkingDir || '/',
    user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length > 0 && { additionalGids: input.user.additionalGids }) },
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    noNewPrivileges: false,
  };
  if (!isAbsolute(spec.process.cwd)) throw new EngineError('invalid_argument', `-w ${JSON.stringify(spec.process.cwd)}: the working directory is not an absolute path`);
  spec.root = { path: input.rootfs, readonly: hc.readOnlyRootfs };
  spec.hostname = input.hostname;
  const files = ['hosts', 'hostname', 'resolv.conf'].map((f) => ({
    destination: `/etc/${f}`, type: 'bind', source: join(input.containerDir, f), options: ['rbind', 'rprivate'],
  }));
  spec.mounts = [
    ...spec.mounts!.map((m) => (privileged && m.destination === '/sys' ? { ...m, options: m.options!.filter((o) => o !== 'ro') } : m)),
    ...files,
    ...mounts.map(ociMount),
  ];
  const linux = spec.linux!;
  linux.namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.netns.kind === 'new') linux.namespaces.push({ type: 'network' });
  if (input.netns.kind === 'join') linux.namespaces.push({ type: 'network', path: input.netns.path });
  linux.resources = resources(hc, privileged);
  linux.cgroupsPath = input.cgroupsPath;
  if (privileged) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
  } else {
    linux.seccomp = seccompProfile(caps);
  }
  spec.annotations = { 'tsd.container.id': input.id };
  return { spec, path: args[0]!, args: args.slice(1), mounts };
}
