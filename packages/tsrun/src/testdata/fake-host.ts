/** A PlannerHost for tests: fixture files layered over the real file system (for temp bundles). */
import { realHost, type PathKind, type PlannerHost } from '../plan/host.js';

export const ALL_NAMESPACES = ['pid', 'net', 'ipc', 'uts', 'mnt', 'user', 'cgroup', 'time'].map((n) => `/proc/self/ns/${n}`);

export function fakeHost(files: Record<string, string>, extra: { dirs?: string[]; kinds?: Record<string, PathKind> } = {}): PlannerHost {
  const dirs = new Set([...(extra.dirs ?? []), ...ALL_NAMESPACES]);
  return {
    realpath: (p) => realHost.realpath(p),
    kind: (p) => extra.kinds?.[p] ?? realHost.kind(p),
    readFile: (p) => (p in files ? files[p]! : p.startsWith('/proc/self/') || p.startsWith('/sys/') ? null : realHost.readFile(p)),
    exists: (p) => p in files || dirs.has(p) || (!p.startsWith('/proc/self/') && !p.startsWith('/sys/') && realHost.exists(p)),
  };
}
