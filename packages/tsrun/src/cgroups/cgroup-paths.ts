import { posix } from 'node:path';
import { invalidField } from '../plan/invalid.js';
import { ownCgroupPath, type ProcCgroupEntry } from './layout.js';

/**
 * linux.cgroupsPath as a cleaned absolute cgroup path: absolute as given, relative
 * under the cgroup of the caller of the runtime (resolved per hierarchy, see dirFor), empty as /<id>.
 * The systemd "slice:prefix:name" form is rejected.
 */
export interface CgroupPathSpec {
  relative: boolean;
  path: string;
}

export function parseCgroupsPath(cgroupsPath: string | undefined, id: string): CgroupPathSpec {
  const raw = cgroupsPath ?? '';
  if (/^[^/:]*:[^:]*:[^:]*$/.test(raw)) {
    throw invalidField('/linux/cgroupsPath', `${JSON.stringify(raw)}: the systemd cgroup driver ("slice:prefix:name") is not supported by tsrun`);
  }
  if (raw === '') return { relative: false, path: `/${id}` };
  const relative = !raw.startsWith('/');
  // resolve() against "/" drops any ".." that would climb out of the hierarchy.
  return { relative, path: posix.resolve('/', raw) };
}

function under(base: string, path: string): string {
  return posix.join(base, path);
}

/** Strips the mount's root from a cgroup path so that it can be joined to the mount point. */
function relativeToMount(cgroupPath: string, mountRoot: string): string {
  if (mountRoot === '/' || mountRoot === '') return cgroupPath;
  if (cgroupPath === mountRoot) return '/';
  if (cgroupPath.startsWith(`${mountRoot}/`)) return cgroupPath.slice(mountRoot.length);
  return cgroupPath;
}

/** The directory of the container's cgroup in one hierarchy ([] controllers = the cgroup2 mount). */
export function dirFor(
  spec: CgroupPathSpec,
  mount: { mountPoint: string; root: string },
  controllers: readonly string[],
  caller: readonly ProcCgroupEntry[],
): string {
  let cgroupPath = spec.path;
  if (spec.relative) {
    const own = ownCgroupPath(caller, controllers) ?? '/';
    cgroupPath = under(own, spec.path);
  }
  return under(mount.mountPoint, relativeToMount(cgroupPath, mount.root));
}

/** Every directory from just below the mount point down to dir, for parents that must be prepared. */
export function pathChain(mountPoint: string, dir: string): string[] {
  const rel = posix.relative(mountPoint, dir);
  if (rel === '' || rel.startsWith('..')) return [];
  const parts = rel.split('/');
  return parts.map((_, i) => posix.join(mountPoint, ...parts.slice(0, i + 1)));
}

