import { posix } from 'node:path';
import type { OciDeviceRule, OciLinux } from './config-types.js';
import type { PlanDevice, PlanDeviceRule, PlanIdMapping } from './plan-types.js';
import { invalidField } from './invalid.js';

/** Device nodes every container gets (runc's set); a config device with the same path replaces one. */
export const DEFAULT_DEVICES: readonly PlanDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
];

const rule = (type: 'c' | 'b', major: number, minor: number, access: string): PlanDeviceRule => ({ allow: true, type, major, minor, access });

/**
 * The cgroup allow rules appended after the config's own, as runc does: mknod of
 * anything, the default devices unless the config replaced them, /dev/pts/*,
 * /dev/ptmx and /dev/net/tun (runc 1.1's list).
 */
function defaultRules(replaced: ReadonlySet<string>): PlanDeviceRule[] {
  return [
    rule('c', -1, -1, 'm'),
    rule('b', -1, -1, 'm'),
    ...DEFAULT_DEVICES.filter((d) => !replaced.has(d.path)).map((d) => rule('c', d.major, d.minor, 'rwm')),
    rule('c', 136, -1, 'rwm'),
    rule('c', 5, 2, 'rwm'),
    rule('c', 10, 200, 'rwm'),
  ];
}

/** The host uid owning container root, which owns device nodes in a user namespace. */
function hostRoot(mappings: readonly PlanIdMapping[]): number | null {
  const m = mappings.find((x) => x.containerID === 0);
  return m ? m.hostID : null;
}

export function translateDevices(linux: OciLinux, uidMappings: readonly PlanIdMapping[], gidMappings: readonly PlanIdMapping[]): PlanDevice[] {
  const configured = (linux.devices ?? []).map((d, i): PlanDevice => {
    const path = `/linux/devices/${i}`;
    if (!posix.isAbsolute(d.path)) throw invalidField(`${path}/path`, `${JSON.stringify(d.path)} is not an absolute path`);
    if (d.type !== 'c' && d.type !== 'b' && d.type !== 'u' && d.type !== 'p') {
      throw invalidField(`${path}/type`, `invalid device type ${JSON.stringify(d.type)}`);
    }
    if (d.type !== 'p' && (d.major === undefined || d.minor === undefined)) {
      throw invalidField(path, `a device of type ${d.type} needs major and minor numbers`);
    }
    return {
      path: posix.normalize(d.path),
      type: d.type,
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      // runc drops the file-type bits a user may have included.
      fileMode: d.fileMode === undefined ? 0o666 : d.fileMode & 0o7777,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    };
  });
  const paths = new Set(configured.map((d) => d.path));
  const all = [...DEFAULT_DEVICES.filter((d) => !paths.has(d.path)), ...configured];
  const rootUid = hostRoot(uidMappings);
  const rootGid = hostRoot(gidMappings);
  if (rootUid === null && rootGid === null) return all;
  return all.map((d) => ({ ...d, uid: rootUid ?? d.uid, gid: rootGid ?? d.gid }));
}

/** linux.resources.devices, then the defaults; in order, the last matching rule wins. */
export function deviceRules(linux: OciLinux): PlanDeviceRule[] {
  const configured = (linux.resources?.devices ?? []).map((d: OciDeviceRule, i): PlanDeviceRule => {
    const path = `/linux/resources/devices/${i}`;
    const type = d.type ?? 'a';
    if (type !== 'a' && type !== 'c' && type !== 'b') throw invalidField(`${path}/type`, `invalid device type ${JSON.stringify(type)}`);
    const access = d.access ?? 'rwm';
    if (!/^[rwm]+$/.test(access)) throw invalidField(`${path}/access`, `invalid access ${JSON.stringify(access)}`);
    return { allow: d.allow, type, major: d.major ?? -1, minor: d.minor ?? -1, access };
  });
  const replaced = new Set((linux.devices ?? []).map((d) => posix.normalize(d.path)));
  return [...configured, ...defaultRules(replaced)];
}
