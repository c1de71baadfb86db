/** -v, --mount and --tmpfs as docker reads them, checked before they reach the daemon. */
import { isAbsolute, resolve } from 'node:path';
import { FlagError } from '../errors.js';
import type { MountSpec } from '../client/wire.js';
import { parseBytes } from './units.js';

export const VOLUME_FLAG = '-v, --volume';
export const MOUNT_FLAG = '--mount';
export const TMPFS_FLAG = '--tmpfs';

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** What one -v gives: a bind or named-volume string for HostConfig.binds, or an anonymous volume mount. */
export type VolumeFlag = { bind: string } | { mount: MountSpec };

/**
 * -v [source:]target[:ro|rw]. An absolute source (or one starting with . or .., made
 * absolute like docker 23+) is a bind; another source is a named volume; no source is
 * an anonymous volume.
 */
export function parseVolume(value: string, cwd: string = process.cwd()): VolumeFlag {
  const fail = (why: string): never => { throw new FlagError(VOLUME_FLAG, value, why); };
  const parts = value.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) fail('expected [source:]/container/path[:ro|rw]');
  let mode: string | undefined;
  if (parts.length === 3 || (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw'))) mode = parts.pop();
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') fail(`invalid mode ${JSON.stringify(mode)}: expected ro or rw`);
  const target = parts.pop()!;
  if (!isAbsolute(target)) fail(`the container path ${JSON.stringify(target)} must be absolute`);
  const source = parts.pop();
  if (source === undefined) {
    if (mode !== undefined) fail('an anonymous volume takes no mode');
    return { mount: { type: 'volume', source: '', target, readOnly: false, tmpfsSize: 0 } };
  }
  let src = source;
  if (source === '.' || source === '..' || source.startsWith('./') || source.startsWith('../')) src = resolve(cwd, source);
  else if (!isAbsolute(source) && !VOLUME_NAME.test(source)) {
    fail(`${JSON.stringify(source)} is neither an absolute path nor a volume name (only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed)`);
  }
  return { bind: [src, target, ...(mode === undefined ? [] : [mode])].join(':') };
}

function bool(text: string, fail: (why: string) => never, key: string): boolean {
  if (['', 'true', '1'].includes(text)) return true;
  if (['false', '0'].includes(text)) return false;
  return fail(`invalid value for ${key}: ${JSON.stringify(text)}: expected true or false`);
}

/** --mount type=bind|volume|tmpfs,source=...,target=...,readonly,tmpfs-size=64m */
export function parseMount(value: string): MountSpec {
  const fail = (why: string): never => { throw new FlagError(MOUNT_FLAG, value, why); };
  const spec: MountSpec = { type: 'volume', source: '', target: '', readOnly: false, tmpfsSize: 0 };
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    switch (key) {
      case 'type':
        if (!['bind', 'volume', 'tmpfs'].includes(val)) fail(`invalid type ${JSON.stringify(val)}: expected bind, volume or tmpfs`);
        spec.type = val;
        break;
      case 'source': case 'src': spec.source = val; break;
      case 'target': case 'dst': case 'destination': spec.target = val; break;
      case 'readonly': case 'ro': spec.readOnly = bool(val, fail, key); break;
      case 'tmpfs-size': spec.tmpfsSize = parseBytes(val, MOUNT_FLAG); break;
      default: fail(`unexpected key ${JSON.stringify(key)}: expected type, source, target, readonly or tmpfs-size`);
    }
  }
  if (spec.target === '') fail('target is required');
  if (!isAbsolute(spec.target!)) fail(`the target ${JSON.stringify(spec.target)} must be absolute`);
  if (spec.type === 'bind' && !isAbsolute(spec.source!)) fail('a bind mount needs an absolute source');
  if (spec.type === 'tmpfs' && spec.source !== '') fail('a tmpfs mount takes no source');
  if (spec.type !== 'tmpfs' && spec.tmpfsSize !== 0) fail('tmpfs-size is for tmpfs mounts only');
  return spec;
}

/** --tmpfs /path[:options] -> [path, options] for HostConfig.tmpfs. */
export function parseTmpfs(value: string): [string, string] {
  const colon = value.indexOf(':');
  const path = colon < 0 ? value : value.slice(0, colon);
  const options = colon < 0 ? '' : value.slice(colon + 1);
  if (!isAbsolute(path)) throw new FlagError(TMPFS_FLAG, value, `the path ${JSON.stringify(path)} must be absolute`);
  for (const o of options === '' ? [] : options.split(',')) {
    const [key = '', val] = o.split('=');
    if (key === 'size' && (val === undefined || !/^\d+(\.\d+)?[kmgtp%]?$/i.test(val))) throw new FlagError(TMPFS_FLAG, value, `invalid size ${JSON.stringify(val ?? '')}`);
    if (key === 'mode' && (val === undefined || !/^[0-7]{3,4}$/.test(val))) throw new FlagError(TMPFS_FLAG, value, `invalid mode ${JSON.stringify(val ?? '')}: expected octal`);
  }
  return [path, options];
}
