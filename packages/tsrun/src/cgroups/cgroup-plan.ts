import type { OciLinux, OciResources } from '../plan/config-types.js';
import type { PlanCgroup, PlanCgroupWrite, PlanDeviceRule } from '../plan/plan-types.js';
import { EngineError } from '@tsrun/oci-spec/errors';
import type { PlannerHost } from '../plan/host.js';
import { invalidField } from '../plan/invalid.js';
import { deviceRules } from '../plan/devices.js';
import { dirFor, parseCgroupsPath, pathChain } from './cgroup-paths.js';
import { parseMountinfo, parseProcCgroup, type CgroupLayout, type ProcCgroupEntry } from './layout.js';
import { v1Writes } from './resources-v1.js';
import { v2Writes } from './resources-v2.js';
import type { CgroupTarget } from './write-list.js';

export interface HostCgroups {
  layout: CgroupLayout;
  /** The cgroups of the caller (`tsrun create`): a relative cgroupsPath is resolved under them. */
  caller: ProcCgroupEntry[];
}

/** callerPid: the process that asked for the plan, when it is not this one (a resident planner serves many callers). */
export function detectHostCgroups(host: PlannerHost, callerPid?: number): HostCgroups {
  let caller = host.readFile('/proc/self/cgroup') ?? '';
  if (callerPid !== undefined) {
    const text = host.readFile(`/proc/${callerPid}/cgroup`);
    if (text === null) throw new EngineError('not_found', `read /proc/${callerPid}/cgroup: the caller (pid ${callerPid}) is gone`);
    caller = text;
  }
  return { layout: parseMountinfo(host.readFile('/proc/self/mountinfo') ?? ''), caller: parseProcCgroup(caller) };
}

function v2Controllers(layout: CgroupLayout, host: PlannerHost): Set<string> {
  const text = layout.unified ? host.readFile(`${layout.unified.mountPoint}/cgroup.controllers`) : null;
  return new Set((text ?? '').split(/\s+/).filter(Boolean));
}

/** Where each controller lives for a container whose directories are `dirs`. */
export function cgroupTarget(layout: CgroupLayout, dirs: readonly string[], host: PlannerHost): CgroupTarget {
  if (layout.version === 2) {
    const dir = dirs[0] ?? null;
    const available = v2Controllers(layout, host);
    return {
      version: 2,
      dirOf: (c) => (dir !== null && (c === '' || available.has(c)) ? dir : null),
      hasFile: () => true,
      current: (_c, file) => (dir === null ? null : (host.readFile(`${dir}/${file}`)?.trim() ?? null)),
    };
  }
  const dirByController = new Map<string, string>();
  const mountByController = new Map<string, string>();
  for (const h of layout.hierarchies) {
    const dir = dirs.find((d) => d === h.mountPoint || d.startsWith(`${h.mountPoint}/`));
    if (!dir) continue;
    for (const c of h.controllers) {
      dirByController.set(c, dir);
      mountByController.set(c, h.mountPoint);
    }
  }
  return {
    version: 1,
    dirOf: (c) => dirByController.get(c) ?? null,
    hasFile: (c, file) => {
      const mount = mountByController.get(c);
      return mount !== undefined && host.exists(`${mount}/${file}`);
    },
    current: (c, file) => {
      const dir = dirByController.get(c);
      return dir === undefined ? null : (host.readFile(`${dir}/${file}`)?.trim() ?? null);
    },
  };
}

/** New v1 cpuset directories start with empty cpus/mems and cannot take tasks: copy the nearest existing parent's. */
function cpusetParentWrites(mountPoint: string, dir: string, host: PlannerHost): PlanCgroupWrite[] {
  const writes: PlanCgroupWrite[] = [];
  let source = mountPoint;
  for (const d of pathChain(mountPoint, dir)) {
    if (host.exists(d)) {
      source = d;
      continue;
    }
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const value = host.readFile(`${source}/${file}`)?.trim();
      if (value) writes.push({ dir: d, file, value });
    }
  }
  return writes;
}

/** v2 controllers must be enabled in every ancestor's cgroup.subtree_control before the leaf has their files. */
function subtreeControlWrites(mountPoint: string, dir: string, writes: readonly PlanCgroupWrite[], host: PlannerHost): PlanCgroupWrite[] {
  const needed = [...new Set(writes.map((w) => w.file.slice(0, w.file.indexOf('.'))).filter((c) => c !== 'cgroup'))].sort();
  if (needed.length === 0) return [];
  const ancestors = [mountPoint, ...pathChain(mountPoint, dir).slice(0, -1)];
  const out: PlanCgroupWrite[] = [];
  for (const a of ancestors) {
    const enabled = new Set((host.readFile(`${a}/cgroup.subtree_control`) ?? '').split(/\s+/));
    const missing = needed.filter((c) => !enabled.has(c));
    if (missing.length > 0) out.push({ dir: a, file: 'cgroup.subtree_control', value: missing.map((c) => `+${c}`).join(' ') });
  }
  return out;
}

function hasResources(r: OciResources | undefined): boolean {
  return !!r && Object.entries(r).some(([k, v]) => k !== 'devices' && v !== undefined);
}

/** The container's cgroup: directories per hierarchy, the freezer, ordered writes and (v2) device rules. */
export function planCgroup(linux: OciLinux, id: string, host: PlannerHost, cgroups: HostCgroups = detectHostCgroups(host)): PlanCgroup | null {
  const { layout, caller } = cgroups;
  const spec = parseCgroupsPath(linux.cgroupsPath, id);
  const rules: PlanDeviceRule[] = deviceRules(linux);
  if (layout.version === null) {
    if (hasResources(linux.resources)) throw invalidField('/linux/resources', 'no cgroup filesystem is mounted on this host');
    return null;
  }
  if (layout.version === 2) {
    const unified = layout.unified!;
    const dir = dirFor(spec, unified, [], caller);
    const { writes } = v2Writes(linux.resources, cgroupTarget(layout, [dir], host));
    return {
      version: 2,
      dirs: [dir],
      freezer: dir,
      writes: [...subtreeControlWrites(unified.mountPoint, dir, writes, host), ...writes],
      devices: rules,
    };
  }
  const dirs = layout.hierarchies.map((h) => dirFor(spec, h, h.controllers, caller));
  const cpuset = layout.hierarchies.findIndex((h) => h.controllers.includes('cpuset'));
  const prep = cpuset >= 0 ? cpusetParentWrites(layout.hierarchies[cpuset]!.mountPoint, dirs[cpuset]!, host) : [];
  const { writes } = v1Writes(linux.resources, rules, cgroupTarget(layout, dirs, host));
  const freezer = layout.hierarchies.findIndex((h) => h.controllers.includes('freezer'));
  return {
    version: 1,
    dirs,
    freezer: freezer >= 0 ? dirs[freezer]! : null,
    writes: [...prep, ...writes],
    devices: null,
  };
}

