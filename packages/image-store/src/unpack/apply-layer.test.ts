import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from './apply-layer.js';
import { makeTar, type TarEntry } from './test-tar.js';

let sandbox: string;
let dest: string;
beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'image-store-apply-'));
  dest = join(sandbox, 'snap', 'fs');
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(sandbox, 'outside'), 'untouched');
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

const getXattr = (path: string, name: string): string =>
  execFileSync('getfattr', ['-h', '--absolute-names', '--only-values', '-n', name, path]).toString('latin1');

async function apply(entries: TarEntry[]) {
  return applyLayer(Readable.from(await makeTar(entries)), dest, 'unpack layer sha256:test');
}

/** Everything in the sandbox outside the snapshot must be as the test left it. */
function expectNothingOutside(): void {
  expect(readdirSync(sandbox).sort()).toEqual(['outside', 'snap']);
  expect(readdirSync(join(sandbox, 'snap'))).toEqual(['fs']);
  expect(readFileSync(join(sandbox, 'outside'), 'utf8')).toBe('untouched');
  expect(existsSync('/etc/x')).toBe(false);
}

describe('applyLayer', () => {
  it('keeps files, dirs, symlinks, hard links, owners, modes, times, fifos and devices; hashes the tar', async () => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    const entries: TarEntry[] = [
      { name: 'bin/', type: 'directory', mode: 0o755, mtime },
      { name: 'bin/su', type: 'file', mode: 0o4755, uid: 1000, gid: 1001, body: 'setuid', mtime },
      { name: 'tmp/', type: 'directory', mode: 0o1777, mtime },
      { name: 'bin/sh', type: 'symlink', linkname: 'su', uid: 7, gid: 8 },
      { name: 'bin/su2', type: 'link', linkname: 'bin/su' },
      { name: 'run/fifo', type: 'fifo', mode: 0o640, uid: 3, gid: 4 },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660, gid: 6 },
      { name: 'etc/conf', type: 'file', body: 'x', pax: { 'SCHILY.xattr.user.note': 'hello' } },
    ];
    const tar = await makeTar(entries);
    const result = await applyLayer(Readable.from(tar), dest, 'unpack layer sha256:test');
    expect(result.diffId).toBe(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
    expect(result.size).toBe(tar.length);
    const su = statSync(join(dest, 'bin/su'));
    expect(su.mode & 0o7777).toBe(0o4755);
    expect([su.uid, su.gid]).toEqual([1000, 1001]);
    expect(su.mtime.toISOString()).toBe(mtime.toISOString());
    expect(readFileSync(join(dest, 'bin/su'), 'utf8')).toBe('setuid');
    expect(statSync(join(dest, 'bin')).mtime.toISOString()).toBe(mtime.toISOString());
    expect(statSync(join(dest, 'tmp')).mode & 0o7777).toBe(0o1777);
    const sh = lstatSync(join(dest, 'bin/sh'));
    expect(sh.isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'bin/sh'))).toBe('su');
    expect([sh.uid, sh.gid]).toEqual([7, 8]);
    expect(statSync(join(dest, 'bin/su2')).ino).toBe(su.ino);
    const fifo = lstatSync(join(dest, 'run/fifo'));
    expect(fifo.isFIFO()).toBe(true);
    expect([fifo.mode & 0o7777, fifo.uid, fifo.gid]).toEqual([0o640, 3, 4]);
    const nul = lstatSync(join(dest, 'dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect([nul.rdev >> 8, nul.rdev & 0xff, nul.mode & 0o7777]).toEqual([1, 3, 0o666]);
    const sda = lstatSync(join(dest, 'dev/sda'));
    expect(sda.isBlockDevice()).toBe(true);
    expect([sda.rdev >> 8, sda.gid]).toEqual([8, 6]);
    expect(getXattr(join(dest, 'etc/conf'), 'user.note')).toBe('hello');
  });

  it('turns OCI whiteouts into overlay whiteouts and opaque directories', async () => {
    await apply([
      { name: 'etc/.wh.removed', type: 'file' },
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/.wh..wh..opq', type: 'file' },
      { name: 'opt/new', type: 'file', body: 'n' },
      { name: 'var/lib/.wh..wh..opq', type: 'file' },
    ]);
    const wh = lstatSync(join(dest, 'etc/removed'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect([wh.rdev, wh.uid, wh.gid]).toEqual([0, 0, 0]);
    expect(existsSync(join(dest, 'etc/.wh.removed'))).toBe(false);
    expect(getXattr(join(dest, 'opt'), 'trusted.overlay.opaque')).toBe('y');
    expect(getXattr(join(dest, 'var/lib'), 'trusted.overlay.opaque')).toBe('y');
    expect(readdirSync(join(dest, 'opt'))).toEqual(['new']);
  });

  it('keeps binary xattrs such as security.capability byte for byte (a GNU tar layer)', async () => {
    const src = join(sandbox, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'ping'), 'binary');
    // cap_net_raw+ep and cap_setuid (bit 7: a byte >= 0x80) in VFS_CAP_REVISION_2 form
    const cap = Buffer.from('0100000280200000000000000000000000000000', 'hex');
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0x${cap.toString('hex')}`, join(src, 'ping')]);
    execFileSync('setfattr', ['-n', 'user.weird name', '-v', 'v=1\nx', join(src, 'ping')]);
    const tar = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-C', src, '-cf', '-', 'ping']);
    rmSync(src, { recursive: true });
    await applyLayer(Readable.from(tar), dest, 'unpack layer sha256:test');
    expect(Buffer.from(getXattr(join(dest, 'ping'), 'security.capability'), 'latin1')).toEqual(cap);
    expect(getXattr(join(dest, 'ping'), 'user.weird name')).toBe('v=1\nx');
  });

  it('sets xattrs on names that need escaping', async () => {
    const name = 'we ird\n=\\name';
    await apply([{ name, type: 'file', body: 'x', pax: { 'SCHILY.xattr.user.k': 'v' } }]);
    expect(getXattr(join(dest, name), 'user.k')).toBe('v');
  });

  it('lets a later entry replace an earlier one of another type', async () => {
    await apply([
      { name: 'a', type: 'directory' },
      { name: 'a/inner', type: 'file', body: '1' },
      { name: 'a', type: 'file', body: 'now a file' },
      { name: 'b', type: 'symlink', linkname: '/nowhere' },
      { name: 'b', type: 'file', body: 'b' },
    ]);
    expect(readFileSync(join(dest, 'a'), 'utf8')).toBe('now a file');
    expect(lstatSync(join(dest, 'b')).isFile()).toBe(true);
  });

  it('makes absolute names relative to the snapshot', async () => {
    await apply([{ name: '/etc/x', type: 'file', body: 'inside' }]);
    expect(readFileSync(join(dest, 'etc/x'), 'utf8')).toBe('inside');
    expectNothingOutside();
  });

  const refused: [string, TarEntry[], RegExp][] = [
    ['a ../ escape', [{ name: '../../etc/x', type: 'file', body: 'evil' }], /entry "..\/..\/etc\/x": path escapes the layer root/],
    ['a ../ escape after a dir', [{ name: 'd/../../outside', type: 'file', body: 'evil' }], /entry "d\/..\/..\/outside": path escapes/],
    ['a symlink to / then a/etc/x', [
      { name: 'a', type: 'symlink', linkname: '/' },
      { name: 'a/etc/x', type: 'file', body: 'evil' },
    ], /entry "a\/etc\/x": parent "a" is a symlink/],
    ['a chain of symlinks to ..', [
      { name: 'b', type: 'symlink', linkname: '..' },
      { name: 'c', type: 'symlink', linkname: 'b/..' },
      { name: 'c/outside', type: 'file', body: 'evil' },
    ], /entry "c\/outside": parent "c" is a symlink/],
    ['a hard link to /etc/passwd', [{ name: 'pw', type: 'link', linkname: '/etc/passwd' }], /entry "pw": hard link target "\/etc\/passwd" is not in the layer/],
    ['a hard link escaping with ..', [{ name: 'pw', type: 'link', linkname: '../../outside' }], /hard link target: entry "..\/..\/outside": path escapes/],
    ['a hard link through a symlinked dir', [
      { name: 'up', type: 'symlink', linkname: '../..' },
      { name: 'pw', type: 'link', linkname: 'up/outside' },
    ], /entry "pw": parent "up" is a symlink/],
    ['a device under a symlinked dir', [
      { name: 'd', type: 'symlink', linkname: '../..' },
      { name: 'd/null', type: 'character-device', devmajor: 1, devminor: 3 },
    ], /entry "d\/null": parent "d" is a symlink/],
    ['a device whose parent is later swapped for a symlink', [
      { name: 'd/', type: 'directory' },
      { name: 'd/null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'd', type: 'symlink', linkname: '../..' },
    ], /entry "d\/null": parent "d" is a symlink/],
    ['an xattr target whose parent is later swapped for a symlink', [
      { name: 'e/f', type: 'file', body: 'x', pax: { 'SCHILY.xattr.user.k': 'v' } },
      { name: 'e', type: 'symlink', linkname: '../..' },
    ], /entry "e\/f": parent "e" is a symlink/],
    ['a whiteout through a symlink', [
      { name: 'w', type: 'symlink', linkname: '../..' },
      { name: 'w/.wh.outside', type: 'file' },
    ], /entry "w\/.wh.outside": parent "w" is a symlink/],
  ];
  for (const [title, entries, message] of refused) {
    it(`refuses ${title}, naming the entry, and writes nothing outside`, async () => {
      const err = await apply(entries).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_argument' });
      expect((err as Error).message).toMatch(/^unpack layer sha256:test: /);
      expect((err as Error).message).toMatch(message);
      expectNothingOutside();
    });
  }

  it('writes a file through a symlink of the same name by replacing the symlink, not its target', async () => {
    await apply([
      { name: 'f', type: 'symlink', linkname: join(sandbox, 'outside') },
      { name: 'f', type: 'file', body: 'replaced', mode: 0o600 },
      { name: 'g', type: 'symlink', linkname: '../../outside' },
      { name: 'g', type: 'directory', mode: 0o777 },
    ]);
    expect(lstatSync(join(dest, 'f')).isFile()).toBe(true);
    expect(readFileSync(join(dest, 'f'), 'utf8')).toBe('replaced');
    expect(lstatSync(join(dest, 'g')).isDirectory()).toBe(true);
    expect(statSync(join(sandbox, 'outside')).mode & 0o777).not.toBe(0o777);
    expectNothingOutside();
  });
});
