// docker commit, end to end: a container run by tsrun changes its root, the
// writable layer becomes an image, a container of that image sees the changes;
// then the images go and garbage collection takes their blobs and snapshots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore, MediaType, putBytes, sha256Of } from '../../packages/image-store/src/index.ts';
import { makeBusyboxRootfs } from '../../tools/busybox-rootfs.ts';
import { runOnRootfs } from '../lib/run-on-rootfs.ts';

let work: string;
let store: LocalImageStore;
const BASE = 'localhost/e2e/busybox:1';

const runIn = (rootfs: string, id: string, args: string[]) => runOnRootfs(work, rootfs, id, args);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-image-commit-'));
  store = await LocalImageStore.open(join(work, 'store'));
  const base = join(work, 'base');
  makeBusyboxRootfs(base);
  mkdirSync(join(base, 'srv/old'), { recursive: true });
  writeFileSync(join(base, 'srv/old/file'), 'old\n');
  const tar = execFileSync('tar', ['--numeric-owner', '-C', base, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
  const layer = await putBytes(store.content, gzipSync(tar), 'e2e');
  const config = await putBytes(store.content, Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [sha256Of(tar)] },
  })), 'e2e');
  const manifest = await putBytes(store.content, Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, ...config },
    layers: [{ mediaType: MediaType.ociLayerGzip, ...layer }],
  })), 'e2e');
  await store.metadata.putImage(BASE, { mediaType: MediaType.ociManifest, ...manifest });
});

afterAll(async () => {
  for (const c of store?.metadata.listContainers() ?? []) await store.removeRootfs(c.id).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

describe('commit and garbage collection', () => {
  it('commits what a container changed into an image that a new container sees', async () => {
    const a = await store.prepareRootfs('commit-a', BASE);
    const r = runIn(a.rootfs, 'commit-a', ['/bin/sh', '-c', 'rm /etc/hostname && rm -r /srv/old && mkdir /srv/old && echo new > /srv/old/other && echo hi > /hello && ln /hello /hello2 && mkfifo /fifo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = await store.commit({ containerId: 'commit-a', name: 'localhost/e2e/committed:1', changes: { Cmd: ['/bin/cat', '/hello'] } });
    await store.removeRootfs('commit-a');
    expect((await store.get('localhost/e2e/committed:1')).diffIds.at(-1)).toBe(c.diffId);

    const b = await store.prepareRootfs('commit-b', 'localhost/e2e/committed:1');
    const seen = runIn(b.rootfs, 'commit-b', ['/bin/sh', '-c', 'test -e /etc/hostname || echo no-hostname; ls /srv/old; cat /hello; stat -c %h /hello; stat -c %F /fifo']);
    expect(seen.stderr).toBe('');
    expect(seen.stdout).toBe('no-hostname\nother\nhi\n2\nfifo\n');
    await store.removeRootfs('commit-b');
  });

  it('collects the blobs and snapshots of removed images, and nothing else', async () => {
    const before = await store.diskUsage();
    expect(before.snapshotBytes).toBeGreaterThan(0);
    const committed = await store.get('localhost/e2e/committed:1');
    await store.remove('localhost/e2e/committed:1');
    const report = await store.prune({ minAgeMs: 0 });
    expect(report.failures).toEqual([]);
    expect(report.removedSnapshots).toEqual([committed.chainIds[1]]);
    expect(report.removedBlobs.map((b) => b.digest).sort()).toEqual([committed.manifestDigest, committed.configDigest, committed.layers[1]!.digest].sort());
    const base = await store.get(BASE);
    expect(readdirSync(store.snapshots.dir)).toEqual([base.chainIds[0]!.slice(7)]);
    const after = await store.diskUsage();
    expect(after.reclaimableBytes).toBe(0);
    expect(after.containerBytes).toBe(Number(execFileSync('du', ['-s', '-x', '-B1', store.rootfs.dir], { encoding: 'utf8' }).split('\t')[0]));
    await store.remove(BASE);
    const all = await store.prune({ minAgeMs: 0 });
    expect(all.removedSnapshots).toEqual([base.chainIds[0]]);
    expect(readdirSync(store.content.blobsDir)).toEqual([]);
    expect(readdirSync(store.snapshots.dir)).toEqual([]);
  });
});
