import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../unpack/apply-layer.js';
import { writeLayer } from './commit.js';
import { paxRecord } from './upper-tar.js';
import { parseGetfattr } from './upper-xattrs.js';

let work: string;
beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'image-store-commit-')); });
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** security.capability for cap_net_bind_service=ep (VFS_CAP_REVISION_2): binary, with NUL and high bytes. */
const CAP = Buffer.from('0100000200040000000000000000000000000000', 'hex');

describe('PAX records and getfattr output', () => {
  it('counts the length prefix in bytes, its own digits included', () => {
    const r = paxRecord('path', Buffer.from('a'.repeat(93)));
    // " path=" + 93 + "\n" is 100 bytes; with "103" it is 103
    expect(r.toString().startsWith('103 path=')).toBe(true);
    expect(r.length).toBe(103);
    // a 99-byte body: 2 digits would make 101, so the prefix is 102
    const edge = paxRecord('k', Buffer.from('b'.repeat(95)));
    expect(edge.length).toBe(102);
    expect(edge.toString('latin1').startsWith('102 ')).toBe(true);
    expect(paxRecord('x', Buffer.from([0, 255])).length).toBe(Number(paxRecord('x', Buffer.from([0, 255])).toString('latin1').split(' ')[0]));
  });

  it('undoes getfattr quoting byte for byte', () => {
    const out = Buffer.from('# file: /u/a\\040b\\012c\nuser.x=0x00ff\ntrusted.overlay.opaque=0x79\n\n# file: /u/\\303\\251\nuser.y=0x41\n', 'latin1');
    const parsed = parseGetfattr(out);
    expect([...parsed.keys()]).toEqual(['/u/a b\nc', '/u/é']);
    expect(parsed.get('/u/a b\nc')!.get('user.x')).toEqual(Buffer.from([0, 255]));
    expect(parsed.get('/u/a b\nc')!.get('trusted.overlay.opaque')!.toString()).toBe('y');
  });
});

// Needs root (overlay mounts, chown, mknod): skipped for a developer's unprivileged
// run; npm test and CI run as root, so it always runs there.
const asRoot = process.getuid?.() === 0 ? it : it.skip;
describe('committing an overlay upper dir', () => {
  asRoot('turns whiteouts and opaque dirs back into OCI entries and keeps links, owners, devices and xattrs', async () => {
    const upper = join(work, 'upper');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'opaque'));
    writeFileSync(join(upper, 'opaque/inside'), 'in\n');
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'opaque')]);
    execFileSync('mknod', [join(upper, 'etc/deleted'), 'c', '0', '0']);
    execFileSync('mknod', [join(upper, 'etc/null'), 'c', '1', '3']);
    writeFileSync(join(upper, 'etc/a'), 'shared\n');
    linkSync(join(upper, 'etc/a'), join(upper, 'etc/b'));
    symlinkSync('../etc/a', join(upper, 'link'));
    writeFileSync(join(upper, 'ping'), 'binary');
    // chown clears file capabilities, so the capability comes last
    execFileSync('chown', ['1000:2000', join(upper, 'ping')]);
    execFileSync('chmod', ['4755', join(upper, 'ping')]);
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0x${CAP.toString('hex')}`, join(upper, 'ping')]);

    const layer = await writeLayer(upper, join(work, 'layer.tar.gz'), 'test commit');
    const tar = gunzipSync(readFileSync(join(work, 'layer.tar.gz')));
    const entries = new Map<string, { type: string; linkname?: string | null; uid?: number; mode?: number; devmajor?: number; devminor?: number }>();
    const ex = extract();
    Readable.from([tar]).pipe(ex);
    for await (const e of ex) { entries.set(e.header.name, e.header as never); await buffer(e); }
    expect([...entries.keys()]).toEqual([
      'etc/', 'etc/a', 'etc/b', 'etc/.wh.deleted', 'etc/null', 'link', 'opaque/', 'opaque/.wh..wh..opq', 'opaque/inside', 'ping',
    ]);
    expect(entries.get('etc/b')).toMatchObject({ type: 'link', linkname: 'etc/a' });
    expect(entries.get('etc/null')).toMatchObject({ type: 'character-device', devmajor: 1, devminor: 3 });
    expect(entries.get('ping')).toMatchObject({ uid: 1000, mode: 0o4755 });

    // and our own applier reads it back: the whiteout, the opaque dir and the binary capability survive
    const snap = join(work, 'snap');
    mkdirSync(snap);
    const applied = await applyLayer(Readable.from([tar]), snap, 'reapply');
    expect(applied.diffId).toBe(layer.diffId);
    const caps = execFileSync('getfattr', ['--absolute-names', '-e', 'hex', '-n', 'security.capability', join(snap, 'ping')], { encoding: 'utf8' });
    expect(caps).toContain(`security.capability=0x${CAP.toString('hex')}`);
    expect(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', join(snap, 'opaque')], { encoding: 'utf8' })).toBe('y');
    expect(execFileSync('stat', ['-c', '%F %t:%T', join(snap, 'etc/deleted')], { encoding: 'utf8' }).trim()).toBe('character special file 0:0');
  });
});
