// One conformance suite for the RegistryClient interface, run against the
// local implementation and the gRPC client proxy alike (containerd's
// content testsuite pattern): a transport bug shows up as a failed test here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import type { ProgressEvent, RegistryClient } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from './registry.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, randomLayer, TAR_LAYER, type TestImage } from './test-image.ts';

export interface ClientUnderTest {
  client: RegistryClient;
  close(): Promise<void>;
}

/** `make` builds a client over `store` that keeps credentials in `dockerConfigPath`. */
export type ClientFactory = (store: LocalContentStore, dockerConfigPath: string) => Promise<ClientUnderTest>;

export function registryClientConformance(name: string, make: ClientFactory): void {
  describe(`RegistryClient conformance: ${name}`, () => {
    const user = { username: 'bob', password: 'b0b-pw' };
    let registry: TestRegistry;
    let tmp: string;
    let source: LocalContentStore;
    let image: TestImage;
    let pusher: ClientUnderTest;

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-regconf-'));
      registry = await startRegistry({ auth: 'htpasswd', users: [user] });
      source = await LocalContentStore.open(join(tmp, 'source'));
      image = await makeTestImage(source, [
        { data: await busyboxLayer(), mediaType: GZIP_LAYER },
        { data: await randomLayer(512 * 1024), mediaType: TAR_LAYER },
      ]);
      pusher = await make(source, join(tmp, 'config.json'));
    });
    afterAll(async () => {
      await pusher?.close();
      await registry?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('login: refuses wrong credentials as permission_denied, then accepts the right ones', async () => {
      await expect(pusher.client.login(registry.host, user.username, 'wrong')).rejects.toMatchObject({
        name: 'EngineError', code: 'permission_denied', message: expect.stringContaining(`login ${registry.host}:`),
      });
      await pusher.client.login(registry.host, user.username, user.password);
    });

    it('push: uploads every blob with progress that never goes down, and the registry keeps the digest', async () => {
      const events: ProgressEvent[] = [];
      const r = await pusher.client.push(`${registry.host}/conf/img:v1`, { manifest: image.manifest, onProgress: (e) => events.push(e) });
      expect(r).toMatchObject({ digest: image.manifest.digest, blobsUploaded: 3, blobsSkipped: 0, size: image.manifest.size });
      expect(r.bytesUploaded).toBe([image.config, ...image.layers].reduce((n, d) => n + d.size, 0));
      const done = events.map((e) => e.total.bytesDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(events.at(-1)!.total).toMatchObject({ blobsDone: 3, blobsTotal: 3 });
      expect(await pusher.client.resolve(`${registry.host}/conf/img:v1`)).toEqual({
        reference: `${registry.host}/conf/img:v1`, digest: image.manifest.digest, mediaType: image.manifest.mediaType, size: image.manifest.size,
      });
    });

    it('pull: into an empty store, the same descriptors and config, every blob stored', async () => {
      const store = await LocalContentStore.open(join(tmp, `pull-${Date.now()}`));
      const puller = await make(store, join(tmp, 'config.json'));
      try {
        const events: ProgressEvent[] = [];
        const r = await puller.client.pull(`${registry.host}/conf/img:v1`, { onProgress: (e) => events.push(e) });
        expect(r).toEqual({
          reference: `${registry.host}/conf/img:v1`, repository: `${registry.host}/conf/img`, tag: 'v1',
          digest: image.manifest.digest, manifest: image.manifest, config: image.config, layers: image.layers,
          imageConfig: expect.objectContaining({ os: 'linux', architecture: 'amd64' }),
          platform: { os: 'linux', architecture: 'amd64' }, bytesFetched: expect.any(Number),
        });
        expect(r.bytesFetched).toBeGreaterThanOrEqual(image.layers.reduce((n, d) => n + d.size, 0));
        for (const d of [image.manifest, image.config, ...image.layers]) expect(await store.info(d.digest)).toEqual({ digest: d.digest, size: d.size });
        expect(events.filter((e) => e.blob.phase === 'done').map((e) => e.blob.digest).sort())
          .toEqual([image.config.digest, ...image.layers.map((l) => l.digest)].sort());
      } finally {
        await puller.close();
      }
    });

    it('errors keep their code and message across the boundary', async () => {
      await expect(pusher.client.pull(`${registry.host}/conf/img:missing`)).rejects.toMatchObject({
        name: 'EngineError', code: 'not_found', message: `pull ${registry.host}/conf/img:missing: manifest unknown to ${registry.host}/conf/img`,
      });
      await expect(pusher.client.pull('Bad/Name:x')).rejects.toMatchObject({
        name: 'EngineError', code: 'invalid_argument', message: 'image reference "Bad/Name:x": repository name must be lowercase',
      });
      await expect(pusher.client.resolve(`${registry.host}/conf/img:v1@sha256:1234`)).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    it('logout: removes the credentials once; then the registry refuses', async () => {
      expect(await pusher.client.logout(registry.host)).toBe(true);
      expect(await pusher.client.logout(registry.host)).toBe(false);
      await expect(pusher.client.resolve(`${registry.host}/conf/img:v1`)).rejects.toMatchObject({ code: 'permission_denied' });
    });
  });
}
