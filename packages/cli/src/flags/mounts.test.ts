import { describe, expect, it } from 'vitest';
import { parseMount, parseTmpfs, parseVolume } from './mounts.js';

describe('parseVolume (-v)', () => {
  it('tells binds, named volumes and anonymous volumes apart', () => {
    expect(parseVolume('/srv/data:/data')).toEqual({ bind: '/srv/data:/data' });
    expect(parseVolume('/srv/data:/data:ro')).toEqual({ bind: '/srv/data:/data:ro' });
    expect(parseVolume('cache:/var/cache:rw')).toEqual({ bind: 'cache:/var/cache:rw' });
    expect(parseVolume('./conf:/etc/app', '/home/me')).toEqual({ bind: '/home/me/conf:/etc/app' });
    expect(parseVolume('/data')).toEqual({ mount: { type: 'volume', source: '', target: '/data', readOnly: false, tmpfsSize: 0 } });
  });

  it.each([
    ['/srv:data', 'must be absolute'],
    ['/srv:/data:rx', 'invalid mode "rx"'],
    ['my vol:/data', 'neither an absolute path nor a volume name'],
    ['a:b:c:d', 'expected [source:]/container/path[:ro|rw]'],
  ])('rejects %s naming the flag', (value, why) => {
    expect(() => parseVolume(value)).toThrow(`invalid argument ${JSON.stringify(value)} for "-v, --volume" flag: `);
    expect(() => parseVolume(value)).toThrow(why);
  });
});

describe('parseMount (--mount)', () => {
  it('reads docker keys and their aliases', () => {
    expect(parseMount('type=bind,src=/srv,dst=/data,readonly')).toEqual({ type: 'bind', source: '/srv', target: '/data', readOnly: true, tmpfsSize: 0 });
    expect(parseMount('source=cache,target=/cache')).toEqual({ type: 'volume', source: 'cache', target: '/cache', readOnly: false, tmpfsSize: 0 });
    expect(parseMount('type=tmpfs,destination=/run,tmpfs-size=64m,ro=false')).toEqual({ type: 'tmpfs', source: '', target: '/run', readOnly: false, tmpfsSize: 64 * 1024 * 1024 });
  });

  it.each([
    ['type=nfs,target=/x', 'invalid type "nfs"'],
    ['type=bind,source=rel,target=/x', 'needs an absolute source'],
    ['source=v', 'target is required'],
    ['target=/x,colour=red', 'unexpected key "colour"'],
    ['target=/x,readonly=maybe', 'expected true or false'],
    ['type=tmpfs,source=/a,target=/x', 'takes no source'],
  ])('rejects %s', (value, why) => {
    expect(() => parseMount(value)).toThrow(`for "--mount" flag: `);
    expect(() => parseMount(value)).toThrow(why);
  });
});

describe('parseTmpfs (--tmpfs)', () => {
  it('splits the path from its options', () => {
    expect(parseTmpfs('/run')).toEqual(['/run', '']);
    expect(parseTmpfs('/run:rw,size=64m,mode=1777')).toEqual(['/run', 'rw,size=64m,mode=1777']);
  });
  it('rejects a relative path and a bad size', () => {
    expect(() => parseTmpfs('run')).toThrow('invalid argument "run" for "--tmpfs" flag: the path "run" must be absolute');
    expect(() => parseTmpfs('/run:size=lots')).toThrow('invalid size "lots"');
  });
});
