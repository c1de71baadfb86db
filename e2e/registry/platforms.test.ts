// Indexes and Docker v2 media types against docker-registry: platform
// selection (linux/amd64 by default, or the one asked for), pushed and pulled
// as OCI indexes and as Docker manifest lists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient, parsePlatform } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { type RegistryProxy, startRegistryProxy } from '../lib/registry-proxy.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, makeTestIndex, randomLayer, TAR_LAYER } from '../lib/test-image.ts';

let registry: TestRegistry;
let proxy: RegistryProxy;
let tmp: string;
let n = 0;
const store = async () => LocalContentStore.open(join(tmp, `s${(n += 1)}`));

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-regplat-'));
  registry = await startRegistry();
  proxy = await startRegistryProxy(registry.host);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe.each([{ docker: false }, { docker: true }])('index (docker media types: $docker)', ({ docker }) => {
  it('pushes an index of three platforms and pulls the one asked for', async () => {
    const source = await store();
    const shared = { data: await busyboxLayer(), mediaType: GZIP_LAYER };
    const amd64 = await makeTestImage(source, [shared], { docker, architecture: 'amd64' });
    const arm64 = await makeTestImage(source, [shared, { data: await randomLayer(10_000), mediaType: TAR_LAYER }], { docker, architecture: 'arm64' });
    const armv6 = await makeTestImage(source, [{ data: await randomLayer(20_000), mediaType: TAR_LAYER }], { docker, architecture: 'arm' });
    const index = await makeTestIndex(source, [
      { image: amd64, architecture: 'amd64' }, { image: arm64, architecture: 'arm64', variant: 'v8' }, { image: armv6, architecture: 'arm', variant: 'v6' },
    ], { docker });
    const ref = `${proxy.host}/plat/multi:${docker ? 'docker' : 'oci'}`;
    const pushed = await new LocalRegistryClient({ store: source }).push(ref, { manifest: index });
    expect(pushed.digest).toBe(index.digest);
    // three configs, the shared layer (once per manifest), two more layers
    expect(pushed.blobsUploaded + pushed.blobsSkipped).toBe(7);
    expect(pushed.blobsUploaded).toBeGreaterThanOrEqual(4);

    const s1 = await store();
    const def = await new LocalRegistryClient({ store: s1 }).pull(ref);
    expect(def).toMatchObject({ digest: index.digest, index: { digest: index.digest, mediaType: index.mediaType }, platform: { os: 'linux', architecture: 'amd64' } });
    expect(def.manifest).toMatchObject({ digest: amd64.manifest.digest, mediaType: amd64.manifest.mediaType });
    expect(await s1.info(arm64.layers[1]!.digest)).toBeUndefined();
    expect(await s1.info(index.digest)).toBeDefined();

    const s2 = await store();
    const client2 = new LocalRegistryClient({ store: s2 });
    const arm = await client2.pull(ref, { platform: parsePlatform('linux/arm64') });
    expect(arm.manifest.digest).toBe(arm64.manifest.digest);
    expect(arm.layers.map((l) => l.digest)).toEqual(arm64.layers.map((l) => l.digest));
    expect(arm.imageConfig.architecture).toBe('arm64');

    proxy.log.length = 0;
    const v6 = await client2.pull(ref, { platform: parsePlatform('linux/arm/v6') });
    expect(v6.manifest.digest).toBe(armv6.manifest.digest);
    // the index came from the store: one HEAD, then only what this platform adds
    expect(proxy.log.filter((l) => l.url.includes('/manifests/')).map((l) => l.method)).toEqual(['HEAD', 'GET']);

    await expect(client2.pull(ref, { platform: parsePlatform('linux/s390x') })).rejects.toMatchObject({
      code: 'not_found', message: `pull ${ref}: no manifest for platform linux/s390x (the index has linux/amd64, linux/arm64/v8, linux/arm/v6)`,
    });
  });
});
