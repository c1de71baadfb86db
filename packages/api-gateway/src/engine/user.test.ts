import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveUser } from './user.js';
import { thrownEngineError } from './thrown.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  '# a comment',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'app:x:1000:1000:app:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  '',
].join('\n');

const GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'wheel:x:10:root,app',
  'audio:x:29:app',
  'app:x:1000:app',
  'staff:x:50:',
  'nogroup:x:65534:',
  '',
].join('\n');


describe('resolveUser', () => {
  let tmp: string;
  let rootfs: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'user-'));
    rootfs = join(tmp, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(join(rootfs, 'etc', 'passwd'), PASSWD);
    writeFileSync(join(rootfs, 'etc', 'group'), GROUP);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('is root with its groups when no user is given', () => {
    expect(resolveUser(rootfs, '')).toEqual({ uid: 0, gid: 0, additionalGids: [10] });
  });

  it('takes numbers as given, with the passwd group of a known uid', () => {
    expect(resolveUser(rootfs, '1000')).toEqual({ uid: 1000, gid: 1000, additionalGids: [10, 29] });
    expect(resolveUser(rootfs, '4321')).toEqual({ uid: 4321, gid: 0, additionalGids: [] });
    expect(resolveUser(rootfs, '4321:77')).toEqual({ uid: 4321, gid: 77, additionalGids: [] });
  });

  it('looks names up in /etc/passwd and /etc/group', () => {
    expect(resolveUser(rootfs, 'app')).toEqual({ uid: 1000, gid: 1000, additionalGids: [10, 29] });
    expect(resolveUser(rootfs, 'nobody')).toEqual({ uid: 65534, gid: 65534, additionalGids: [] });
    expect(resolveUser(rootfs, 'app:staff')).toEqual({ uid: 1000, gid: 50, additionalGids: [10, 29, 1000] });
    expect(resolveUser(rootfs, 'daemon:65534')).toEqual({ uid: 1, gid: 65534, additionalGids: [] });
    expect(resolveUser(rootfs, '1000:audio')).toEqual({ uid: 1000, gid: 29, additionalGids: [10, 1000] });
  });

  it('names --user when the user or group is unknown', () => {
    const user = thrownEngineError(() => resolveUser(rootfs, 'ghost'));
    expect(user.code).toBe('invalid_argument');
    expect(user.message).toBe(`--user "ghost": no user "ghost" in the image's /etc/passwd`);
    const group = thrownEngineError(() => resolveUser(rootfs, 'app:ghosts'));
    expect(group.code).toBe('invalid_argument');
    expect(group.message).toBe(`--user "app:ghosts": no group "ghosts" in the image's /etc/group`);
  });

  it('needs the files only for names', () => {
    rmSync(join(rootfs, 'etc'), { recursive: true });
    expect(resolveUser(rootfs, '1000:1000')).toEqual({ uid: 1000, gid: 1000, additionalGids: [] });
    expect(thrownEngineError(() => resolveUser(rootfs, 'app')).code).toBe('invalid_argument');
  });

  it('does not follow a symlinked /etc/passwd or /etc out of the image', () => {
    const host = join(tmp, 'host-etc');
    mkdirSync(host);
    writeFileSync(join(host, 'passwd'), 'secret:x:4242:4242::/:/bin/sh\n');
    writeFileSync(join(host, 'group'), 'secrets:x:4243:secret\n');
    rmSync(join(rootfs, 'etc', 'passwd'));
    symlinkSync(join(host, 'passwd'), join(rootfs, 'etc', 'passwd'));
    expect(thrownEngineError(() => resolveUser(rootfs, 'secret')).message).toBe(`--user "secret": no user "secret" in the image's /etc/passwd`);
    expect(resolveUser(rootfs, '4242')).toEqual({ uid: 4242, gid: 0, additionalGids: [] });

    rmSync(join(rootfs, 'etc'), { recursive: true });
    symlinkSync(host, join(rootfs, 'etc'));
    expect(thrownEngineError(() => resolveUser(rootfs, 'secret')).code).toBe('invalid_argument');
    expect(thrownEngineError(() => resolveUser(rootfs, '0:secrets')).message).toBe(`--user "0:secrets": no group "secrets" in the image's /etc/group`);
  });

  it('refuses ids out of range', () => {
    expect(resolveUser(rootfs, '4294967294:4294967294')).toEqual({ uid: 4294967294, gid: 4294967294, additionalGids: [] });
    for (const spec of ['4294967295', '0:4294967295', '99999999999999999999']) {
      const err = thrownEngineError(() => resolveUser(rootfs, spec));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(`--user ${JSON.stringify(spec)}: id out of range`);
    }
  });
});
