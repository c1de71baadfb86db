/**
 * The host's cgroup layout, read from /proc/self/mountinfo: each v1 hierarchy's mount
 * point and controllers (named hierarchies such as name=systemd are skipped), and the
 * cgroup2 mount. A host with any v1 controller hierarchy is driven as v1 (hybrid
 * hosts keep their controllers there); otherwise the cgroup2 mount is the one.
 */
export const V1_CONTROLLERS = [
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio',
  'blkio', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc',
] as const;

export interface V1Hierarchy {
  mountPoint: string;
  /** The cgroup shown at the mount point ("/" unless bind-mounted or namespaced). */
  root: string;
  controllers: string[];
}

export interface CgroupLayout {
  version: 1 | 2 | null;
  hierarchies: V1Hierarchy[];
  unified: { mountPoint: string; root: string } | null;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): CgroupLayout {
  const hierarchies: V1Hierarchy[] = [];
  const seen = new Set<string>();
  let unified: CgroupLayout['unified'] = null;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6) continue;
    const root = unescape(fields[3]!);
    const mountPoint = unescape(fields[4]!);
    const fstype = fields[sep + 1];
    const superOptions = (fields[sep + 3] ?? '').split(',');
    if (fstype === 'cgroup') {
      const controllers = superOptions.filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o)).sort();
      const key = controllers.join(',');
      if (controllers.length === 0 || seen.has(key)) continue;
      seen.add(key);
      hierarchies.push({ mountPoint, root, controllers });
    } else if (fstype === 'cgroup2') {
      if (!unified || mountPoint === '/sys/fs/cgroup') unified = { mountPoint, root };
    }
  }
  const version = hierarchies.length > 0 ? 1 : unified ? 2 : null;
  return { version, hierarchies, unified };
}

/** /proc/<pid>/cgroup: "4:memory:/a/b" -> controllers ["memory"] at "/a/b"; "0::/x" is the v2 entry. */
export interface ProcCgroupEntry {
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    out.push({ controllers: m[1] === '' ? [] : m[1]!.split(','), path: m[2]! });
  }
  return out;
}

/** The process's cgroup in the hierarchy holding these controllers ([] = the v2 entry). */
export function ownCgroupPath(entries: readonly ProcCgroupEntry[], controllers: readonly string[]): string | null {
  const entry = controllers.length === 0
    ? entries.find((e) => e.controllers.length === 0)
    : entries.find((e) => e.controllers.some((c) => controllers.includes(c)));
  return entry ? entry.path : null;
}
