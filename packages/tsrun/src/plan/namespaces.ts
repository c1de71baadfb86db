import { posix } from 'node:path';
import type { OciLinux } from './config-types.js';
import type { NamespaceType, PlanNamespace } from './plan-types.js';
import type { PlannerHost } from './host.js';
import { invalidField } from './invalid.js';

/** The /proc/<pid>/ns/<file> name of each namespace type. */
export const NAMESPACE_FILES: Readonly<Record<NamespaceType, string>> = {
  pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', user: 'user', cgroup: 'cgroup', time: 'time',
};

export const NAMESPACE_TYPES = Object.keys(NAMESPACE_FILES) as NamespaceType[];

/** linux.namespaces checked: known, not duplicated, a mount namespace present, supported by this kernel. */
export function translateNamespaces(linux: OciLinux, host: PlannerHost): PlanNamespace[] {
  const seen = new Set<string>();
  const out = (linux.namespaces ?? []).map((ns, i): PlanNamespace => {
    const path = `/linux/namespaces/${i}`;
    const type = ns.type as NamespaceType;
    if (!(type in NAMESPACE_FILES)) throw invalidField(`${path}/type`, `unknown namespace type ${JSON.stringify(ns.type)}`);
    if (seen.has(type)) throw invalidField(path, `duplicate ${type} namespace`);
    seen.add(type);
    if (ns.path !== undefined && ns.path !== '' && !posix.isAbsolute(ns.path)) {
      throw invalidField(`${path}/path`, `${JSON.stringify(ns.path)} is not an absolute path`);
    }
    if (!host.exists(`/proc/self/ns/${NAMESPACE_FILES[type]}`)) {
      throw invalidField(`${path}/type`, `${type} namespaces are not supported by this kernel`);
    }
    return { type, path: ns.path ? ns.path : null };
  });
  return out;
}

export function hasNamespace(namespaces: readonly PlanNamespace[], type: NamespaceType): boolean {
  return namespaces.some((ns) => ns.type === type);
}

export function newNamespace(namespaces: readonly PlanNamespace[], type: NamespaceType): boolean {
  return namespaces.some((ns) => ns.type === type && ns.path === null);
}
