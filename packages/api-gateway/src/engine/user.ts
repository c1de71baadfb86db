/**
 * `--user` as Docker resolves it: uid[:gid] numbers as given, names looked up in
 * the image's /etc/passwd and /etc/group. The files are read only when neither
 * they nor /etc is a symlink, so a hostile image cannot make the engine read a
 * host file.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

function readImageFile(rootfs: string, rel: string): string | null {
  let path = rootfs;
  for (const part of rel.split('/')) {
    path = join(path, part);
    try {
      if (lstatSync(path).isSymbolicLink()) return null;
    } catch {
      return null;
    }
  }
  return readFileSync(path, 'utf8');
}

function entries(text: string | null): string[][] {
  if (text === null) return [];
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

const isNumber = (s: string): boolean => /^\d+$/.test(s);

export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const passwd = entries(readImageFile(rootfs, 'etc/passwd'));
  const group = entries(readImageFile(rootfs, 'etc/group'));
  const [userPart = '', groupPart] = spec === '' ? ['0'] : spec.split(':');
  let uid: number;
  let gid: number | undefined;
  let userName: string | undefined;
  const pw = passwd.find((e) => (isNumber(userPart) ? e[2] === userPart : e[0] === userPart));
  if (isNumber(userPart)) {
    uid = Number(userPart);
  } else {
    if (!pw) throw new EngineError('invalid_argument', `--user ${JSON.stringify(spec)}: no user ${JSON.stringify(userPart)} in the image's /etc/passwd`);
    uid = Number(pw[2]);
  }
  if (pw) {
    userName = pw[0];
    gid = Number(pw[3]);
  }
  if (groupPart !== undefined) {
    if (isNumber(groupPart)) {
      gid = Number(groupPart);
    } else {
      const g = group.find((e) => e[0] === groupPart);
      if (!g) throw new EngineError('invalid_argument', `--user ${JSON.stringify(spec)}: no group ${JSON.stringify(groupPart)} in the image's /etc/group`);
      gid = Number(g[2]);
    }
  }
  if (uid > 0xfffffffe || (gid ?? 0) > 0xfffffffe) throw new EngineError('invalid_argument', `--user ${JSON.stringify(spec)}: id out of range`);
  const additionalGids = userName === undefined ? [] : group
    .filter((g) => (g[3] ?? '').split(',').includes(userName!))
    .map((g) => Number(g[2]))
    .filter((g) => g !== gid);
  return { uid, gid: gid ?? 0, additionalGids };
}
