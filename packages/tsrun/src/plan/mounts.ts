import { isAbsolute, posix, resolve } from 'node:path';
import type { OciMount } from './config-types.js';
import type { PlanMount } from './plan-types.js';
import type { PlannerHost } from './host.js';
import { invalidField } from './invalid.js';
import { parseMountOptions } from './mount-options.js';

function checkNoNul(value: string, path: string): void {
  if (value.includes('\0')) throw invalidField(path, 'must not contain a NUL byte');
}

/**
 * One OCI mount as the shim mounts it. Bind mounts are recognised by the bind/rbind
 * option or the type "bind" (their type becomes ""); a relative bind source is
 * relative to the bundle. A bind of anything but a directory gets a file as its
 * mount point; a missing source is left to fail at mount time (a hook may create it).
 */
export function translateMount(m: OciMount, index: number, bundle: string, host: PlannerHost): PlanMount {
  const path = `/mounts/${index}`;
  if (m.uidMappings || m.gidMappings) {
    throw invalidField(`${path}/${m.uidMappings ? 'uidMappings' : 'gidMappings'}`, 'id-mapped mounts are not supported by tsrun');
  }
  checkNoNul(m.destination, `${path}/destination`);
  if (!posix.isAbsolute(m.destination)) throw invalidField(`${path}/destination`, `${JSON.stringify(m.destination)} is not an absolute path`);
  const opts = parseMountOptions(m.options, `${path}/options`);
  const bind = opts.bind || m.type === 'bind';
  const source = m.source ?? '';
  checkNoNul(source, `${path}/source`);
  if (bind && source === '') throw invalidField(`${path}/source`, 'a bind mount needs a source');
  if (!bind && !m.type) throw invalidField(`${path}/type`, 'a mount that is not a bind mount needs a type');
  const hostSource = bind && !isAbsolute(source) ? resolve(bundle, source) : source;
  const kind = bind ? host.kind(hostSource) : 'dir';
  return {
    destination: posix.normalize(m.destination),
    source: hostSource,
    type: bind ? '' : (m.type ?? ''),
    bind,
    recursive: bind && opts.recursive,
    flags: opts.flags,
    clearFlags: opts.clearFlags,
    propagation: opts.propagation,
    attrSet: opts.attrSet,
    attrClr: opts.attrClr,
    data: opts.data,
    createDir: kind === 'dir' || kind === 'missing',
  };
}
