// Images moving to and from third-party tools: umoci builds one we import, unpack
// and run; skopeo copies one we export; a docker archive we export loads back
// (into our store, and into a private dockerd).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore, isMounted } from '../../packages/image-store/src/index.ts';
import { makeBusyboxRootfs } from '../../tools/busybox-rootfs.ts';
import { startDockerd } from '../lib/dockerd.ts';
import { runOnRootfs } from '../lib/run-on-rootfs.ts';
import { RUNTIME_BIN } from '../lib/runtime.ts';

let work: string;
let store: LocalImageStore;
const NAME = 'localhost/umoci/busybox:v1';

const runIn = (rootfs: string, id: string, args: string[]) => runOnRootfs(work, rootfs, id, args);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-image-interop-'));
  store = await LocalImageStore.open(join(work, 'store'));
  const rootfs = join(work, 'rootfs');
  makeBusyboxRootfs(rootfs);
  writeFileSync(join(rootfs, 'etc/motd'), 'built by umoci\n');
  const layout = join(work, 'umoci');
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:v1`]);
  execFileSync('umoci', ['insert', '--image', `${layout}:v1`, rootfs, '/']);
  execFileSync('umoci', ['config', '--image', `${layout}:v1`, '--config.cmd', '/bin/sh']);
}, 120_000);

afterAll(async () => {
  for (const c of store?.metadata.listContainers() ?? []) await store.removeRootfs(c.id).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

describe('image interop', () => {
  it('imports an image umoci built, unpacks it and runs it', async () => {
    const [rec] = await store.importImages({ path: join(work, 'umoci'), format: 'oci', refName: 'v1', repository: 'localhost/umoci/busybox' });
    expect(rec!.name).toBe(NAME);
    const details = await store.get(NAME);
    expect(details.layers).toHaveLength(1);
    const prepared = await store.prepareRootfs('umoci-run', NAME);
    const r = runIn(prepared.rootfs, 'umoci', ['/bin/sh', '-c', 'cat /etc/motd; ls -l /bin/sh | grep -c busybox']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('built by umoci\n1\n');
    expect(r.code).toBe(0);
    await store.removeRootfs('umoci-run');
    expect(await isMounted(prepared.rootfs)).toBe(false);
  });

  it('exports an OCI layout that skopeo copies and inspects, blob for blob', async () => {
    const out = join(work, 'export-oci');
    await store.exportImages({ names: [NAME], path: out, format: 'oci' });
    const copy = join(work, 'skopeo-copy');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${out}:v1`, `oci:${copy}:v1`]);
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${copy}:v1`], { encoding: 'utf8' }));
    const details = await store.get(NAME);
    expect(inspect.Digest).toBe(details.manifestDigest);
    expect(inspect.Layers).toEqual(details.layers.map((l) => l.digest));
    const ours = readdirSync(join(out, 'blobs/sha256')).sort();
    expect(readdirSync(join(copy, 'blobs/sha256')).sort()).toEqual(ours);
    for (const b of ours) expect(readFileSync(join(copy, 'blobs/sha256', b)).equals(readFileSync(join(out, 'blobs/sha256', b)))).toBe(true);
    // and umoci reads it back
    const unpacked = join(work, 'umoci-unpack');
    execFileSync('umoci', ['unpack', '--image', `${copy}:v1`, unpacked]);
    expect(readFileSync(join(unpacked, 'rootfs/etc/motd'), 'utf8')).toBe('built by umoci\n');
  });

  it('exports a docker archive that loads back into a fresh store and into dockerd', async () => {
    const file = join(work, 'busybox.tar');
    await store.exportImages({ names: [NAME], path: file, format: 'docker' });
    const other = await LocalImageStore.open(join(work, 'store2'));
    const [rec] = await other.importImages({ path: file, format: 'docker' });
    expect(rec!.name).toBe(NAME);
    const [a, b] = [await store.get(NAME), await other.get(NAME)];
    expect(b.configDigest).toBe(a.configDigest);
    expect(b.diffIds).toEqual(a.diffIds);
    expect(b.chainIds).toEqual(a.chainIds);

    const dockerd = await startDockerd(RUNTIME_BIN);
    try {
      const load = dockerd.docker(['load', '-i', file]);
      expect(load.stderr).toBe('');
      expect(load.code).toBe(0);
      const id = dockerd.docker(['image', 'inspect', '--format', '{{.Id}} {{json .RootFS.Layers}}', 'localhost/umoci/busybox:v1']);
      expect(id.code).toBe(0);
      const [imageId, layers] = id.stdout.trim().split(' ');
      expect(imageId).toBe(a.configDigest);
      expect(JSON.parse(layers!)).toEqual(a.diffIds);
      // docker's own save of it loads into our store with the same config
      const saved = join(work, 'docker-saved.tar');
      const save = dockerd.docker(['save', '-o', saved, 'localhost/umoci/busybox:v1']);
      expect(save.code).toBe(0);
      const third = await LocalImageStore.open(join(work, 'store3'));
      const [back] = await third.importImages({ path: saved, format: 'docker' });
      expect((await third.get(back!.name)).configDigest).toBe(a.configDigest);
    } finally {
      await dockerd.stop();
    }
  }, 120_000);
});
