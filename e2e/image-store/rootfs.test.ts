import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { buffer } from 'node:stream/consumers';
import { LocalImageStore, MediaType, isMounted } from '../../packages/image-store/src/index.ts';
import { makeBusyboxRootfs } from '../../tools/busybox-rootfs.ts';
import { rt, RUNTIME_BIN } from '../lib/runtime.ts';

const sha = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let work: string;
let store: LocalImageStore;

async function put(data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha(data);
  const w = await store.content.ingest(digest, { digest, size: data.length });
  await w.write(data);
  await w.commit();
  return { digest, size: data.length };
}

/** Layer 2: deletes /etc/old with a whiteout, makes /opt opaque with one new file. */
async function topLayer(): Promise<Buffer> {
  const p = pack();
  const out = buffer(p);
  p.entry({ name: 'etc/.wh.old', size: 0 }, '');
  p.entry({ name: 'opt/', type: 'directory', mode: 0o755 }).end();
  p.entry({ name: 'opt/.wh..wh..opq', size: 0 }, '');
  p.entry({ name: 'opt/new', mode: 0o644 }, 'from layer 2\n');
  p.finalize();
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'e2e-image-store-'));
  store = await LocalImageStore.open(join(work, 'store'));
  const base = join(work, 'base');
  makeBusyboxRootfs(base);
  writeFileSync(join(base, 'etc/old'), 'deleted by layer 2\n');
  mkdirSync(join(base, 'opt/lower'), { recursive: true });
  writeFileSync(join(base, 'opt/lower/file'), 'hidden by the opaque dir\n');
  const tar1 = execFileSync('tar', ['--numeric-owner', '-C', base, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
  const tar2 = await topLayer();
  const l1 = await put(gzipSync(tar1));
  const l2 = await put(execFileSync('zstd', ['-q', '-c'], { input: tar2 }));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [sha(tar1), sha(tar2)] },
  }));
  const c = await put(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, ...c },
    layers: [{ mediaType: MediaType.ociLayerGzip, ...l1 }, { mediaType: MediaType.ociLayerZstd, ...l2 }],
  }));
  const m = await put(manifest);
  await store.metadata.putImage('localhost/e2e/two-layers:latest', { mediaType: MediaType.ociManifest, ...m });
});

afterAll(async () => {
  for (const c of store?.metadata.listContainers() ?? []) await store.rootfs.removeRootfs(c.id).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

describe('container rootfs', () => {
  it('mounts the image as an overlay, runs a container on it, and removes it cleanly', async () => {
    const prepared = await store.rootfs.prepareRootfs('rootfs-e2e', 'localhost/e2e/two-layers:latest');
    expect(prepared.chainIds).toHaveLength(2);
    expect(await isMounted(prepared.rootfs)).toBe(true);
    expect(existsSync(join(prepared.rootfs, 'bin/busybox'))).toBe(true);
    expect(existsSync(join(prepared.rootfs, 'etc/old'))).toBe(false);
    expect(readdirSync(join(prepared.rootfs, 'opt'))).toEqual(['new']);

    const bundle = join(work, 'bundle');
    mkdirSync(bundle);
    execFileSync(RUNTIME_BIN, ['spec', '--bundle', bundle]);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    spec.root = { path: prepared.rootfs, readonly: false };
    spec.process.terminal = false;
    spec.process.args = ['/bin/sh', '-c', 'ls /opt; cat /opt/new; test -e /etc/old || echo old-gone; echo written > /written'];
    spec.linux.cgroupsPath = `/tsrun-e2e/rootfs-e2e-${process.pid}`;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    const r = rt(['run', '--bundle', bundle, `rootfs-e2e-${process.pid}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('new\nfrom layer 2\nold-gone\n');
    expect(r.code).toBe(0);
    // the container's write lands in its upper dir, never in a shared snapshot
    expect(readFileSync(join(store.rootfs.containerDir('rootfs-e2e'), 'upper/written'), 'utf8')).toBe('written\n');
    for (const id of prepared.chainIds) expect(existsSync(join(store.snapshots.fsPath(id), 'written'))).toBe(false);

    await store.rootfs.removeRootfs('rootfs-e2e');
    expect(await isMounted(prepared.rootfs)).toBe(false);
    expect(existsSync(store.rootfs.containerDir('rootfs-e2e'))).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
    expect(store.metadata.listContainers()).toEqual([]);
    // the writable layer went to the trash in one rename and is deleted in the background; prune waits for it
    await store.prune();
    expect(readdirSync(store.rootfs.trash)).toEqual([]);
  });

  it('refuses to remove an image while a container uses it', async () => {
    await store.rootfs.prepareRootfs('in-use', 'localhost/e2e/two-layers:latest');
    await expect(store.metadata.removeImage('localhost/e2e/two-layers:latest')).rejects.toMatchObject({ code: 'failed_precondition' });
    await store.rootfs.removeRootfs('in-use');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
  });
});
