import { describe, expect, it } from 'vitest';
import { parseMountOptions } from './mount-options.js';
import { MOUNT_ATTR, MS } from './mount-flags.js';

const parse = (...opts: string[]) => parseMountOptions(opts, '/mounts/0/options');

describe('mount options', () => {
  it('sets and clears MS_* flags; the last option wins', () => {
    expect(parse('nosuid', 'nodev', 'noexec', 'ro')).toMatchObject({ flags: MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY, clearFlags: 0 });
    expect(parse('ro', 'rw')).toMatchObject({ flags: 0, clearFlags: MS.RDONLY });
    expect(parse('rw', 'ro')).toMatchObject({ flags: MS.RDONLY, clearFlags: 0 });
    expect(parse('suid', 'dev', 'exec', 'async', 'atime', 'diratime', 'norelatime', 'nostrictatime', 'nomand')).toMatchObject({
      flags: 0,
      clearFlags: MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.SYNCHRONOUS | MS.NOATIME | MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME | MS.MANDLOCK,
    });
    expect(parse('sync', 'dirsync', 'mand', 'noatime', 'nodiratime', 'relatime', 'strictatime', 'remount').flags).toBe(
      MS.SYNCHRONOUS | MS.DIRSYNC | MS.MANDLOCK | MS.NOATIME | MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME | MS.REMOUNT,
    );
  });

  it('keeps bind/rbind out of the flags', () => {
    expect(parse('bind')).toMatchObject({ bind: true, recursive: false, flags: 0 });
    expect(parse('rbind', 'ro')).toMatchObject({ bind: true, recursive: true, flags: MS.RDONLY });
  });

  it('lists propagation changes in order', () => {
    expect(parse('private', 'rslave', 'shared', 'runbindable').propagation).toEqual([
      MS.PRIVATE, MS.SLAVE | MS.REC, MS.SHARED, MS.UNBINDABLE | MS.REC,
    ]);
    expect(parse('rprivate', 'slave', 'rshared', 'unbindable').propagation).toEqual([MS.PRIVATE | MS.REC, MS.SLAVE, MS.SHARED | MS.REC, MS.UNBINDABLE]);
  });

  it('turns recursive options into mount_setattr attributes', () => {
    expect(parse('rro', 'rnosuid', 'rnodev', 'rnoexec')).toMatchObject({
      attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC, attrClr: 0,
    });
    expect(parse('rrw', 'rsuid', 'rdev', 'rexec')).toMatchObject({
      attrSet: 0, attrClr: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC,
    });
    // access-time modes also clear the whole MOUNT_ATTR__ATIME field
    expect(parse('rnoatime')).toMatchObject({ attrSet: MOUNT_ATTR.NOATIME, attrClr: MOUNT_ATTR.ATIME_MASK });
    expect(parse('rrelatime')).toMatchObject({ attrSet: 0, attrClr: MOUNT_ATTR.ATIME_MASK });
    expect(parse('rstrictatime')).toMatchObject({ attrSet: MOUNT_ATTR.STRICTATIME, attrClr: MOUNT_ATTR.ATIME_MASK });
    expect(parse('ratime')).toMatchObject({ attrSet: 0, attrClr: MOUNT_ATTR.NOATIME });
    expect(parse('rnodiratime').attrSet).toBe(MOUNT_ATTR.NODIRATIME);
    expect(parse('rnosymfollow').attrSet).toBe(MOUNT_ATTR.NOSYMFOLLOW);
  });

  it('passes unknown options as the data string and ignores defaults', () => {
    expect(parse('defaults', 'mode=755', 'size=65536k', 'nosuid', 'uid=0')).toMatchObject({ flags: MS.NOSUID, data: 'mode=755,size=65536k,uid=0' });
  });

  it('rejects options tsrun cannot honour with their path', () => {
    expect(() => parse('bind', 'idmap')).toThrow('config.json: /mounts/0/options/1: idmap: id-mapped mounts are not supported by tsrun');
    expect(() => parse('tmpcopyup')).toThrow('/mounts/0/options/0: tmpcopyup: the tmpcopyup extension is not supported by tsrun');
  });
});
