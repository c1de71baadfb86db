// Pull and unpack as one operation (what the daemon's pull does), against
// Debian's docker-registry behind the logging proxy, then a container run by
// tsrun on the image's overlay rootfs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContentStore, LocalImageStore } from '../../packages/image-store/src/index.ts';
import { LocalRegistryClient, pullAndUnpack, type PullUnpackEvent } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { type RegistryProxy, startRegistryProxy } from '../lib/registry-proxy.ts';
import { rt, RUNTIME_BIN } from '../lib/runtime.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, type TestImage } from '../lib/test-image.ts';

let registry: TestRegistry;
let proxy: RegistryProxy;
let tmp: string;
let image: TestImage;
let ref: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-pull-unpack-'));
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
  const tree = join(tmp, 'layer2');
  mkdirSync(join(tree, 'etc'), { recursive: true });
  writeFileSync(join(tree, 'etc/layer2'), 'from the second layer\n');
  const second = execFileSync('tar', ['--numeric-owner', '-C', tree, '-cz', '.']);
  const source = await LocalContentStore.open(join(tmp, 'source'));
  image = await makeTestImage(source, [{ data: await busyboxLayer(), mediaType: GZIP_LAYER }, { data: second, mediaType: GZIP_LAYER }]);
  ref = `${proxy.host}/e2e/busybox:2`;
  await new LocalRegistryClient({ store: source }).push(ref, { manifest: image.manifest });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pullAndUnpack', () => {
  it('pulls into an empty store, unpacks each layer, records the image; a re-pull costs one manifest check and no unpack', async () => {
    const store = await LocalImageStore.open(join(tmp, 'store'));
    const client = new LocalRegistryClient({ store: store.content });
    const events: PullUnpackEvent[] = [];
    proxy.log.length = 0;
    const r = await pullAndUnpack(client, store, ref, { onProgress: (e) => events.push(e) });

    expect(r.image.name).toBe(ref);
    expect(r.image.target.digest).toBe(image.manifest.digest);
    expect(r.chainIds).toHaveLength(2);
    expect(r.unpacked).toBe(2);
    for (const id of r.chainIds) expect(await store.snapshots.info(id)).toMatchObject({ chainId: id });
    expect((await store.list()).map((i) => i.name)).toEqual([ref]);

    // both stages reported; each layer starts unpacking only once its own blob is stored
    const pulled = events.flatMap((e) => (e.stage === 'pull' ? [e.progress] : []));
    const unpack = events.flatMap((e) => (e.stage === 'unpack' ? [e] : []));
    expect(pulled.at(-1)!.total).toMatchObject({ blobsDone: 3, blobsTotal: 3 });
    for (const layer of image.layers) {
      const stored = events.findIndex((e) => e.stage === 'pull' && e.progress.blob.digest === layer.digest && e.progress.blob.phase === 'done');
      const started = events.findIndex((e) => e.stage === 'unpack' && e.layer.layerDigest === layer.digest && e.layer.phase === 'unpacking');
      expect(stored).toBeGreaterThanOrEqual(0);
      expect(started).toBeGreaterThan(stored);
    }
    expect(unpack.filter((e) => e.layer.phase === 'done').map((e) => e.layer.index).sort()).toEqual([0, 1]);
    expect(unpack.at(-1)).toMatchObject({ layersDone: 2, layersTotal: 2 });

    // a container runs on it
    const prepared = await store.prepareRootfs('pull-unpack-e2e', ref);
    try {
      const bundle = join(tmp, 'bundle');
      mkdirSync(bundle);
      execFileSync(RUNTIME_BIN, ['spec', '--bundle', bundle]);
      const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
      spec.root = { path: prepared.rootfs, readonly: false };
      spec.process.terminal = false;
      spec.process.args = ['/bin/sh', '-c', 'cat /etc/layer2; busybox true && echo busybox-ok'];
      spec.linux.cgroupsPath = `/tsrun-e2e/pull-unpack-${process.pid}`;
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const run = rt(['run', '--bundle', bundle, `pull-unpack-${process.pid}`]);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('from the second layer\nbusybox-ok\n');
      expect(run.code).toBe(0);
    } finally {
      await store.removeRootfs('pull-unpack-e2e');
    }

    proxy.log.length = 0;
    const again = await pullAndUnpack(client, store, ref);
    expect(proxy.log.map((l) => l.method)).toEqual(['HEAD']);
    expect(proxy.log[0]!.url).toMatch(/\/v2\/e2e\/busybox\/manifests\/2$/);
    expect(again.unpacked).toBe(0);
    expect(again.chainIds).toEqual(r.chainIds);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(tmp);
  });

  it('fails the whole operation, records no image and leaves no snapshot when a layer is not in the registry', async () => {
    const store = await LocalImageStore.open(join(tmp, 'store-missing'));
    const client = new LocalRegistryClient({ store: store.content, retry: { attempts: 1 } });
    const err = await pullAndUnpack(client, store, `${proxy.host}/e2e/absent:1`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found' });
    expect(await store.list()).toEqual([]);
    expect(await store.snapshots.list()).toEqual([]);
  });
});
