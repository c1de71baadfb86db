import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VolumeStore } from './volumes.js';
import { thrownEngineError } from './thrown.js';


describe('VolumeStore', () => {
  let tmp: string;
  let root: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'volumes-'));
    root = join(tmp, 'volumes');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('creates a volume directory and its record', () => {
    const store = new VolumeStore(root);
    const v = store.create('data', 'local', { env: 'test' });
    expect(v).toMatchObject({ name: 'data', driver: 'local', mountpoint: join(root, 'data', '_data'), labels: { env: 'test' } });
    expect(Number.isNaN(Date.parse(v.created))).toBe(false);
    expect(existsSync(v.mountpoint)).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'data', 'volume.json'), 'utf8'))).toEqual(v);
    expect(store.pathOf('data')).toBe(v.mountpoint);
    expect(store.inspect('data')).toEqual(v);
  });

  it('gives a volume without a name a random 64-hex one', () => {
    const store = new VolumeStore(root);
    const a = store.create('');
    const b = store.create('');
    expect(a.name).toMatch(/^[0-9a-f]{64}$/);
    expect(b.name).not.toBe(a.name);
    expect(store.list().map((v) => v.name).sort()).toEqual([a.name, b.name].sort());
  });

  it('returns the existing volume when it is created again', async () => {
    const store = new VolumeStore(root);
    const first = store.create('data', '', { v: '1' });
    writeFileSync(join(first.mountpoint, 'keep'), 'x');
    expect(store.create('data', 'local', { v: '2' })).toEqual(first);
    expect(await store.ensure('data')).toEqual(first);
    expect(readFileSync(join(first.mountpoint, 'keep'), 'utf8')).toBe('x');
  });

  it('refuses bad names and drivers', () => {
    const store = new VolumeStore(root);
    for (const name of ['../escape', '.hidden', 'a/b', '-x', 'sp ace']) {
      const err = thrownEngineError(() => store.create(name));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(`volume name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    expect(thrownEngineError(() => store.pathOf('../x')).code).toBe('invalid_argument');
    const driver = thrownEngineError(() => store.create('ok', 'nfs'));
    expect(driver.code).toBe('invalid_argument');
    expect(driver.message).toBe('volume driver "nfs": only "local" is supported');
    expect(readdirSync(root)).toEqual([]);
  });

  it('inspect and remove of a missing volume are not_found', () => {
    const store = new VolumeStore(root);
    const err = thrownEngineError(() => store.inspect('nope'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('no such volume: nope');
    expect(thrownEngineError(() => store.remove('nope')).code).toBe('not_found');
  });

  it('lists volumes by name, skipping directories without a record', () => {
    const store = new VolumeStore(root);
    store.create('b');
    store.create('a');
    mkdirSync(join(root, 'stray'));
    expect(store.list().map((v) => v.name)).toEqual(['a', 'b']);
  });

  it('removes an unused volume with its data', () => {
    const store = new VolumeStore(root);
    const v = store.create('data');
    writeFileSync(join(v.mountpoint, 'f'), 'x');
    store.remove('data');
    expect(readdirSync(root)).toEqual([]);
    expect(thrownEngineError(() => store.inspect('data')).code).toBe('not_found');
  });

  it('refuses to remove a volume in use unless forced', () => {
    const store = new VolumeStore(root);
    store.create('data');
    store.usedBy = (name) => (name === 'data' ? ['web', 'worker'] : []);
    const err = thrownEngineError(() => store.remove('data'));
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toBe('remove data: volume is in use by web, worker');
    expect(store.inspect('data').name).toBe('data');
    store.remove('data', true);
    expect(store.list()).toEqual([]);
  });

  it('prunes only the unused volumes', () => {
    const store = new VolumeStore(root);
    for (const n of ['used', 'idle1', 'idle2']) store.create(n);
    store.usedBy = (name) => (name === 'used' ? ['web'] : []);
    expect(store.prune().sort()).toEqual(['idle1', 'idle2']);
    expect(store.list().map((v) => v.name)).toEqual(['used']);
    expect(store.prune()).toEqual([]);
  });

  it('finishes removals a crash interrupted when it opens', () => {
    const first = new VolumeStore(root);
    first.create('kept');
    mkdirSync(join(root, '.removing-gone-0011aabb', '_data'), { recursive: true });
    writeFileSync(join(root, '.removing-gone-0011aabb', '_data', 'f'), 'x');
    new VolumeStore(root);
    expect(readdirSync(root)).toEqual(['kept']);
  });
});
