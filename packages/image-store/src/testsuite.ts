/**
 * The ImageStore conformance suite: one set of tests, run against the local
 * implementation and against the gRPC proxy (image-store.test.ts), so that a
 * transport bug shows up as a failed test. `open` gives the store under test and
 * the LocalImageStore behind it (to seed images and look at the disk). Test-only:
 * kept out of the build (tsconfig exclude).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalImageStore } from './image-store.js';
import { makeTestImage } from './test-image.js';
import type { ImageStore } from './types.js';

export interface Harness {
  store: ImageStore;
  local: LocalImageStore;
  close(): Promise<void>;
}

const LAYERS = [
  [{ name: 'etc/', type: 'directory' as const }, { name: 'etc/keep', body: 'keep\n' }, { name: 'etc/gone', body: 'gone\n' },
    { name: 'opt/', type: 'directory' as const }, { name: 'opt/old', body: 'old\n' }],
  [{ name: 'etc/second', body: 'second\n' }],
];

export function imageStoreConformance(label: string, open: (root: string) => Promise<Harness>): void {
  describe(`ImageStore conformance: ${label}`, () => {
    let work: string;
    let h: Harness;
    const seed = (name: string) => makeTestImage(h.local.content, h.local.metadata, name, LAYERS);

    beforeEach(async () => {
      work = mkdtempSync(join(tmpdir(), 'image-store-suite-'));
      h = await open(join(work, 'store'));
    });
    afterEach(async () => {
      for (const c of h.local.metadata.listContainers()) await h.local.removeRootfs(c.id).catch(() => {});
      await h.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('lists, inspects, tags and removes images', async () => {
      expect(await h.store.list()).toEqual([]);
      const img = await seed('localhost/suite/a:1');
      expect((await h.store.list()).map((i) => [i.name, i.target.digest])).toEqual([['localhost/suite/a:1', img.record.target.digest]]);
      const d = await h.store.get('localhost/suite/a:1');
      expect(d.manifestDigest).toBe(img.record.target.digest);
      expect(d.configDigest).toBe(img.configDigest);
      expect(d.layers).toHaveLength(2);
      expect(d.diffIds).toHaveLength(2);
      expect(d.chainIds[0]).toBe(d.diffIds[0]);
      expect(d.size).toBe(d.layers[0]!.size + d.layers[1]!.size);
      const tagged = await h.store.tag('localhost/suite/a:1', 'localhost/suite/b:2');
      expect(tagged.target).toEqual(img.record.target);
      expect((await h.store.list()).map((i) => i.name)).toEqual(['localhost/suite/a:1', 'localhost/suite/b:2']);
      const removed = await h.store.remove('localhost/suite/a:1');
      expect(removed.name).toBe('localhost/suite/a:1');
      expect((await h.store.list()).map((i) => i.name)).toEqual(['localhost/suite/b:2']);
    });

    it('gives each inspect its own copy: what a caller changes never reaches the next', async () => {
      await seed('localhost/suite/a:1');
      const first = await h.store.get('localhost/suite/a:1');
      first.diffIds.push('sha256:changed');
      first.config.config = { ...first.config.config, Cmd: ['changed'] };
      const second = await h.store.get('localhost/suite/a:1');
      expect(second.diffIds).toHaveLength(2);
      expect(second.config.config?.Cmd).not.toEqual(['changed']);
    });

    it('keeps error codes and messages', async () => {
      await expect(h.store.get('localhost/nope:1')).rejects.toMatchObject({ code: 'not_found', message: 'image localhost/nope:1: not found' });
      await expect(h.store.tag('localhost/nope:1', 'x:y')).rejects.toMatchObject({ code: 'not_found' });
      await seed('localhost/suite/a:1');
      await expect(h.store.tag('localhost/suite/a:1', 'bad name')).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('"bad name"') });
      await expect(h.store.remove('localhost/nope:1')).rejects.toMatchObject({ code: 'not_found' });
      await expect(h.store.exportImages({ names: ['localhost/suite/a:1'], path: join(work, 'x'), format: 'zip' as 'oci' })).rejects.toMatchObject({ code: 'invalid_argument' });
      await expect(h.store.importImages({ path: join(work, 'missing'), format: 'oci' })).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    for (const format of ['oci', 'docker'] as const) {
      it(`exports and imports (${format})`, async () => {
        const img = await seed('localhost/suite/a:1');
        const path = join(work, `out-${format}`);
        await h.store.exportImages({ names: ['localhost/suite/a:1'], path, format });
        await h.store.remove('localhost/suite/a:1');
        const [rec] = await h.store.importImages({ path, format });
        expect(rec!.name).toBe('localhost/suite/a:1');
        const d = await h.store.get('localhost/suite/a:1');
        expect(d.configDigest).toBe(img.configDigest);
        if (format === 'oci') expect(d.manifestDigest).toBe(img.record.target.digest);
      });
    }

    it('prunes what no image references, keeping recent blobs unless told otherwise', async () => {
      const keep = await seed('localhost/suite/keep:1');
      await seed('localhost/suite/drop:1');
      await makeTestImage(h.local.content, h.local.metadata, 'localhost/suite/orphan:1', [[{ name: 'only-here', body: 'x' }]]);
      const od = await h.store.get('localhost/suite/orphan:1');
      await h.local.snapshots.unpack([{ mediaType: od.layers[0]!.mediaType, digest: od.layers[0]!.digest, diffId: od.diffIds[0]! }]);
      await h.store.remove('localhost/suite/orphan:1');
      await h.store.remove('localhost/suite/drop:1');
      const usage = await h.store.diskUsage();
      expect(usage.reclaimableBytes).toBeGreaterThan(0);
      const fresh = await h.store.prune();
      expect(fresh.removedBlobs).toEqual([]);
      expect(fresh.removedSnapshots).toEqual([od.chainIds[0]]);
      const report = await h.store.prune({ minAgeMs: 0 });
      expect(report.failures).toEqual([]);
      // drop:1 was the same image as keep:1 (same config and layers): only the orphan's three blobs go
      expect(report.removedBlobs.map((b) => b.digest).sort()).toEqual([od.manifestDigest, od.configDigest, od.layers[0]!.digest].sort());
      expect(await h.local.content.info(od.manifestDigest)).toBeUndefined();
      expect(await h.local.content.info(keep.record.target.digest)).toBeDefined();
      expect(report.reclaimedBytes).toBeGreaterThanOrEqual(report.removedBlobs.reduce((n, b) => n + b.size, 0));
      expect((await h.store.prune({ minAgeMs: 0 })).removedBlobs).toEqual([]);
    });

    it('prunes a container directory whose record a crash lost, and no recorded one', async () => {
      await seed('localhost/suite/a:1');
      const kept = join(h.local.metadata.containersDir, 'kept1');
      await h.local.metadata.putContainer({ id: 'kept1', image: 'localhost/suite/a:1', imageDigest: (await h.store.get('localhost/suite/a:1')).manifestDigest, chainIds: [] });
      const lost = join(h.local.metadata.containersDir, 'lost1');
      mkdirSync(join(lost, 'upper'), { recursive: true });
      writeFileSync(join(lost, 'upper', 'file'), 'x'.repeat(100));
      const report = await h.store.prune();
      expect(report.failures).toEqual([]);
      expect(existsSync(lost)).toBe(false);
      expect(existsSync(join(kept, 'lease.json'))).toBe(true);
      expect(report.reclaimedBytes).toBeGreaterThanOrEqual(100);
      await h.local.metadata.removeContainer('kept1');
    });

    it('reports disk usage per image and in total', async () => {
      const img = await seed('localhost/suite/a:1');
      const u = await h.store.diskUsage();
      let total = 0;
      for await (const b of h.local.content.list()) total += b.size;
      expect(u.contentBytes).toBe(total);
      expect(u.images).toEqual([{ name: 'localhost/suite/a:1', digest: img.record.target.digest, contentBytes: total, snapshotBytes: 0 }]);
      expect(u.snapshotBytes).toBe(0);
      expect(u.reclaimableBytes).toBe(0);
    });

    // Needs root (overlay mounts, chown, mknod): skipped for a developer's unprivileged
    // run; npm test and CI run as root, so it always runs there.
    const asRoot = process.getuid?.() === 0 ? it : it.skip;
    asRoot('prepares a rootfs, refuses to remove its image, commits its changes and removes it', async () => {
      await seed('localhost/suite/base:1');
      const p = await h.store.prepareRootfs('suite-c1', 'localhost/suite/base:1');
      expect(p.chainIds).toHaveLength(2);
      await expect(h.store.remove('localhost/suite/base:1')).rejects.toMatchObject({ code: 'failed_precondition' });
      writeFileSync(join(p.rootfs, 'etc/new'), 'new\n');
      unlinkSync(join(p.rootfs, 'etc/gone'));
      rmSync(join(p.rootfs, 'opt'), { recursive: true });
      mkdirSync(join(p.rootfs, 'opt'));
      writeFileSync(join(p.rootfs, 'opt/fresh'), 'fresh\n');
      execFileSync('setfattr', ['-n', 'user.suite', '-v', 'yes', join(p.rootfs, 'etc/new')]);
      const c = await h.store.commit({ containerId: 'suite-c1', name: 'localhost/suite/committed:1', comment: 'suite', changes: { Cmd: ['/bin/true'] } });
      expect(c.record.name).toBe('localhost/suite/committed:1');
      const d = await h.store.get('localhost/suite/committed:1');
      expect(d.layers).toHaveLength(3);
      expect(d.diffIds[2]).toBe(c.diffId);
      await h.store.removeRootfs('suite-c1');
      expect(existsSync(p.rootfs)).toBe(false);

      const q = await h.store.prepareRootfs('suite-c2', 'localhost/suite/committed:1');
      expect(readdirSync(join(q.rootfs, 'etc')).sort()).toEqual(['keep', 'new', 'second']);
      expect(readdirSync(join(q.rootfs, 'opt'))).toEqual(['fresh']);
      expect(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'user.suite', join(q.rootfs, 'etc/new')], { encoding: 'utf8' })).toBe('yes');
      await h.store.removeRootfs('suite-c2');
      await expect(h.store.commit({ containerId: 'suite-c2', name: 'x/y:z' })).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
