import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContainerStore, type ContainerRecord } from './container-store.js';
import { thrownEngineError } from './thrown.js';


const ID_A = `abc1${'0'.repeat(60)}`;
const ID_B = `abc2${'0'.repeat(60)}`;
const ID_C = `f00d${'1'.repeat(60)}`;

function record(store: ContainerStore, id: string, name: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, name, created: '2024-05-01T11:00:00.000Z', image: 'busybox', imageId: 'sha256:beef',
    config: {
      image: 'busybox', cmd: ['sh'], entrypoint: [], entrypointSet: false, env: ['A=1'], workingDir: '', user: '', hostname: '', tty: true,
      openStdin: true, labels: { l: 'v' }, stopSignal: '', stopTimeout: 10,
    },
    hostConfig: {
      binds: ['/a:/b'], mounts: [], portBindings: [], networkMode: 'bridge', memory: '0', nanoCpus: '0', pidsLimit: '0',
      restartPolicy: { name: 'always', maximumRetryCount: 0 }, readOnlyRootfs: false, capAdd: [], capDrop: [], privileged: false,
      autoRemove: false, tmpfs: {},
    },
    hostname: id.slice(0, 12), path: 'sh', args: [], rootfs: join(store.dirOf(id), 'rootfs'), dir: store.dirOf(id),
    logPath: join(store.dirOf(id), 'container.log'), status: 'created', pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '',
    restartCount: 0, mounts: [], networks: [], ports: [], task: false, manuallyStopped: false, ...over,
  };
}

describe('ContainerStore', () => {
  let tmp: string;
  let root: string;
  let store: ContainerStore;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'container-store-'));
    root = join(tmp, 'containers');
    store = new ContainerStore(root);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** Reserves the name and saves the record, as create does. */
  function add(id: string, name: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
    store.reserve(name, id);
    const r = record(store, id, name, over);
    store.save(r);
    return r;
  }

  describe('names', () => {
    it('refuses a name another container holds, naming the holder', () => {
      store.reserve('web', ID_A);
      const err = thrownEngineError(() => store.reserve('web', ID_B));
      expect(err.code).toBe('already_exists');
      expect(err.message).toBe(`the container name "/web" is already in use by container ${ID_A}: remove (or rename) that container to be able to reuse that name`);
    });

    it('lets the holder reserve its name again', () => {
      store.reserve('web', ID_A);
      expect(() => store.reserve('web', ID_A)).not.toThrow();
    });

    it('frees a name on release, by its holder only', () => {
      store.reserve('web', ID_A);
      store.release('web', ID_B);
      expect(thrownEngineError(() => store.reserve('web', ID_B)).code).toBe('already_exists');
      store.release('web', ID_A);
      expect(() => store.reserve('web', ID_B)).not.toThrow();
    });

    it('refuses invalid names', () => {
      for (const name of ['', 'a', '-web', '_web', 'we b', 'web/1', 'wéb']) {
        const err = thrownEngineError(() => store.reserve(name, ID_A));
        expect(err.code).toBe('invalid_argument');
        expect(err.message).toBe(`invalid container name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      }
      expect(() => store.reserve('my_web-1.prod', ID_A)).not.toThrow();
    });
  });

  describe('find', () => {
    beforeEach(() => {
      add(ID_A, 'web');
      add(ID_B, 'db');
      add(ID_C, 'abc1');
    });

    it('finds by full id, name, /name and unique id prefix', () => {
      expect(store.find(ID_A).name).toBe('web');
      expect(store.find('db').id).toBe(ID_B);
      expect(store.find('/db').id).toBe(ID_B);
      expect(store.find('f00').name).toBe('abc1');
      expect(store.find('abc2').name).toBe('db');
    });

    it('prefers a name over an id prefix', () => {
      expect(store.find('abc1').id).toBe(ID_C);
    });

    it('refuses an ambiguous prefix', () => {
      const err = thrownEngineError(() => store.find('abc'));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe('multiple containers match the id prefix "abc"');
    });

    it('is not_found for a reference that matches nothing', () => {
      const err = thrownEngineError(() => store.find('nothing'));
      expect(err.code).toBe('not_found');
      expect(err.message).toBe('no such container: nothing');
      expect(thrownEngineError(() => store.find('/f00')).code).toBe('not_found');
    });

    it('wants a reference', () => {
      expect(thrownEngineError(() => store.find('')).code).toBe('invalid_argument');
    });

    it('forgets a deleted container, its directory and its name', () => {
      const r = store.find('web');
      mkdirSync(join(r.dir, 'rootfs'));
      store.delete(r);
      expect(existsSync(r.dir)).toBe(false);
      expect(thrownEngineError(() => store.find('web')).code).toBe('not_found');
      expect(() => store.reserve('web', ID_B)).not.toThrow();
      expect(store.all().map((x) => x.name).sort()).toEqual(['abc1', 'db']);
    });

    it('deletes a removed container\'s files in the background, and leaves nothing in the trash', async () => {
      const r = store.find('web');
      writeFileSync(join(r.dir, 'container.log'), 'x'.repeat(1 << 16));
      store.delete(r);
      expect(readdirSync(root).filter((n) => !n.startsWith('.')).sort()).toEqual([ID_B, ID_C].sort());
      await vi.waitFor(() => expect(readdirSync(join(root, '.trash'))).toEqual([]));
    });
  });

  it('empties what a crash left in the trash when it opens, and never loads it as a container', async () => {
    const a = add(ID_A, 'web');
    mkdirSync(join(root, '.trash', ID_B), { recursive: true });
    writeFileSync(join(root, '.trash', ID_B, 'container.json'), JSON.stringify({ ...a, id: ID_B, name: 'ghost' }));
    const reopened = new ContainerStore(root);
    const { records, broken } = reopened.load();
    expect(records.map((r) => r.name)).toEqual(['web']);
    expect(broken).toEqual([]);
    await vi.waitFor(() => expect(readdirSync(join(root, '.trash'))).toEqual([]));
  });

  it('saves container.json and loads every record back with its name', () => {
    const a = add(ID_A, 'web', { status: 'running', pid: 4242, startedAt: '2024-05-01T11:01:00.000Z', ports: [{ hostIp: '', hostPort: 80, containerPort: 80, protocol: 'tcp' }] });
    const b = add(ID_B, 'db');
    expect(JSON.parse(readFileSync(join(a.dir, 'container.json'), 'utf8'))).toEqual(a);

    const reopened = new ContainerStore(root);
    const { records, broken } = reopened.load();
    expect(broken).toEqual([]);
    expect(records.sort((x, y) => x.id.localeCompare(y.id))).toEqual([a, b]);
    expect(reopened.find('web')).toEqual(a);
    expect(reopened.find('/db')).toEqual(b);
    expect(thrownEngineError(() => reopened.reserve('web', ID_C)).message).toContain(ID_A);
  });

  it('reports directories without a readable record as broken', () => {
    add(ID_A, 'web');
    const empty = join(root, 'half-made');
    mkdirSync(empty);
    const garbled = join(root, 'garbled');
    mkdirSync(garbled);
    writeFileSync(join(garbled, 'container.json'), '{"id": ');
    const reopened = new ContainerStore(root);
    const { records, broken } = reopened.load();
    expect(records.map((r) => r.name)).toEqual(['web']);
    expect(broken.sort()).toEqual([empty, garbled].sort());
  });
});
