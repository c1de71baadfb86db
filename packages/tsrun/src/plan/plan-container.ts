import { posix, resolve } from 'node:path';
import { assertRuntimeConfig, wrapError } from '@tsrun/oci-spec';
import type { OciLinux, RuntimeConfig } from './config-types.js';
import { PLAN_VERSION, type Plan, type PlanIdMapping } from './plan-types.js';
import { realHost, type PlannerHost } from './host.js';
import { invalidField } from './invalid.js';
import { ignoredFields, rejectUnsupported } from './unsupported.js';
import { newNamespace, hasNamespace, translateNamespaces } from './namespaces.js';
import { translateMount } from './mounts.js';
import { translateDevices } from './devices.js';
import { translateSysctl } from './sysctl.js';
import { translateProcess } from './process.js';
import { translateSeccomp } from './seccomp.js';
import { translateHooks } from './hooks.js';
import { PROPAGATION_OPTIONS, MS } from './mount-flags.js';
import { detectHostCgroups, planCgroup, type HostCgroups } from '../cgroups/cgroup-plan.js';

export interface PlanOptions {
  id: string;
  /** Absolute bundle directory; root.path and relative bind sources resolve against it. */
  bundle: string;
  stateDir: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  host?: PlannerHost;
  /** The process whose cgroup a relative linux.cgroupsPath is under (`tsrun create`); default: this one. */
  callerPid?: number;
  /** The host's cgroup layout, when the caller already knows it (tests); otherwise read with callerPid. */
  cgroups?: HostCgroups;
  /** Told of what the plan ignores (deprecated fields), for the caller to show. */
  warn?: (message: string) => void;
}

const ID_PATTERN = /^[\w+\-.]+$/;

function mappings(list: OciLinux['uidMappings'], path: string): PlanIdMapping[] {
  return (list ?? []).map((m, i) => {
    if (m.size === 0) throw invalidField(`${path}/${i}/size`, 'must not be 0');
    return { containerID: m.containerID, hostID: m.hostID, size: m.size };
  });
}

function rootfsOf(config: RuntimeConfig, bundle: string, host: PlannerHost): string {
  if (!config.root?.path) throw invalidField('/root', 'a Linux container needs root.path');
  const path = resolve(bundle, config.root.path);
  let real: string;
  try {
    real = host.realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalidField('/root/path', `${path} does not exist`);
    throw wrapError(err, `config.json: /root/path: ${path}`, 'invalid_argument');
  }
  if (host.kind(real) !== 'dir') throw invalidField('/root/path', `${real} is not a directory`);
  return real;
}

function rootfsPropagation(value: string | undefined): number {
  if (value === undefined || value === '') return MS.SLAVE | MS.REC;
  const flags = PROPAGATION_OPTIONS[value];
  if (flags === undefined) throw invalidField('/linux/rootfsPropagation', `${JSON.stringify(value)} is not a propagation mode`);
  return flags;
}

function checkPaths(list: readonly string[] | undefined, path: string): string[] {
  return (list ?? []).map((p, i) => {
    if (!posix.isAbsolute(p)) throw invalidField(`${path}/${i}`, `${JSON.stringify(p)} is not an absolute path`);
    return p;
  });
}

/**
 * config.json -> plan (docs/plan-format.md): schema validation first, then the
 * semantic rules, then every translation. Throws EngineError('invalid_argument')
 * whose message names the JSON path and the reason.
 */
export function planContainer(config: unknown, opts: PlanOptions): Plan {
  const host = opts.host ?? realHost;
  if (!ID_PATTERN.test(opts.id)) throw invalidField('', `container id ${JSON.stringify(opts.id)} must match ${ID_PATTERN.source}`, 'id');
  assertRuntimeConfig(config);
  rejectUnsupported(config);
  for (const w of ignoredFields(config)) opts.warn?.(w);
  if (!config.process) throw invalidField('/process', 'a process is required to create a container');
  const linux = config.linux;
  if (!linux) throw invalidField('/linux', 'tsrun runs Linux containers and needs the linux section');

  const namespaces = translateNamespaces(linux, host);
  const uidMappings = mappings(linux.uidMappings, '/linux/uidMappings');
  const gidMappings = mappings(linux.gidMappings, '/linux/gidMappings');
  if (hasNamespace(namespaces, 'user')) {
    if (newNamespace(namespaces, 'user') && (uidMappings.length === 0 || gidMappings.length === 0)) {
      throw invalidField(uidMappings.length === 0 ? '/linux/uidMappings' : '/linux/gidMappings', 'a new user namespace needs uid and gid mappings');
    }
  } else if (uidMappings.length > 0 || gidMappings.length > 0) {
    throw invalidField(uidMappings.length > 0 ? '/linux/uidMappings' : '/linux/gidMappings', 'id mappings need a user namespace');
  }
  if (config.hostname && !hasNamespace(namespaces, 'uts')) throw invalidField('/hostname', 'setting the hostname needs a uts namespace');
  if (config.domainname && !hasNamespace(namespaces, 'uts')) throw invalidField('/domainname', 'setting the domainname needs a uts namespace');
  const offsets = linux.timeOffsets;
  if (offsets && !newNamespace(namespaces, 'time')) throw invalidField('/linux/timeOffsets', 'time offsets need a new time namespace');

  const bundle = resolve(opts.bundle);
  return {
    planVersion: PLAN_VERSION,
    id: opts.id,
    ociVersion: config.ociVersion,
    bundle,
    stateDir: resolve(opts.stateDir),
    rootfs: rootfsOf(config, bundle, host),
    rootfsReadonly: config.root?.readonly ?? false,
    rootfsPropagation: rootfsPropagation(linux.rootfsPropagation),
    noPivot: opts.noPivot ?? false,
    newKeyring: !(opts.noNewKeyring ?? false),
    annotations: { ...(config.annotations ?? {}) },
    namespaces,
    uidMappings,
    gidMappings,
    timeOffsets: offsets
      ? {
          monotonic: { secs: offsets.monotonic?.secs ?? 0, nanosecs: offsets.monotonic?.nanosecs ?? 0 },
          boottime: { secs: offsets.boottime?.secs ?? 0, nanosecs: offsets.boottime?.nanosecs ?? 0 },
        }
      : null,
    hostname: config.hostname ?? null,
    domainname: config.domainname ?? null,
    mounts: (config.mounts ?? []).map((m, i) => translateMount(m, i, bundle, host)),
    devices: translateDevices(linux, uidMappings, gidMappings),
    maskedPaths: checkPaths(linux.maskedPaths, '/linux/maskedPaths'),
    readonlyPaths: checkPaths(linux.readonlyPaths, '/linux/readonlyPaths'),
    sysctl: translateSysctl(linux.sysctl, namespaces),
    process: translateProcess(config.process),
    seccomp: translateSeccomp(linux.seccomp),
    cgroup: planCgroup(linux, opts.id, host, opts.cgroups ?? detectHostCgroups(host, opts.callerPid)),
    hooks: translateHooks(config.hooks),
  };
}
