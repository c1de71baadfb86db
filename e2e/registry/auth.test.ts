// Authentication against docker-registry: htpasswd Basic auth, and Bearer
// tokens from a token server the registry trusts; login writes config.json.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient } from '../../packages/registry-client/src/index.ts';
import { startRegistry, type TestRegistry } from '../lib/registry.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, type TestImage } from '../lib/test-image.ts';

const alice = { username: 'alice', password: 'w0nder:land' };
let tmp: string;
let source: LocalContentStore;
let image: TestImage;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tsrun-e2e-regauth-'));
  source = await LocalContentStore.open(join(tmp, 'source'));
  image = await makeTestImage(source, [{ data: await busyboxLayer(), mediaType: GZIP_LAYER }]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

for (const auth of ['htpasswd', 'token'] as const) {
  describe(`${auth} auth`, () => {
    let registry: TestRegistry;
    beforeAll(async () => { registry = await startRegistry({ auth, users: [alice] }); });
    afterAll(async () => { await registry?.stop(); });

    it('refuses anonymous and wrong credentials, naming what was refused', async () => {
      const anon = new LocalRegistryClient({ store: source, dockerConfigPath: join(tmp, `${auth}-none.json`) });
      await expect(anon.push(`${registry.host}/t/bb:1`, { manifest: image.manifest })).rejects.toMatchObject({
        code: 'permission_denied', message: expect.stringMatching(new RegExp(`^push ${registry.host}/t/bb:1: .*(unauthorized|denied|401)`)),
      });
      await expect(anon.login(registry.host, 'alice', 'wrong')).rejects.toMatchObject({
        code: 'permission_denied', message: expect.stringContaining(`login ${registry.host}`),
      });
      expect(() => statSync(join(tmp, `${auth}-none.json`))).toThrow();
    });

    it('logs in (config.json 0600), pushes and pulls with the stored credentials, logs out', async () => {
      const config = join(tmp, `${auth}-config.json`);
      writeFileSync(config, JSON.stringify({ auths: {}, psFormat: 'table' }));
      const client = new LocalRegistryClient({ store: source, dockerConfigPath: config });
      await client.login(`http://${registry.host}`, alice.username, alice.password);
      expect(statSync(config).mode & 0o777).toBe(0o600);
      const file = JSON.parse(readFileSync(config, 'utf8'));
      expect(file.psFormat).toBe('table');
      expect(Buffer.from(file.auths[registry.host].auth, 'base64').toString()).toBe('alice:w0nder:land');

      const pushed = await client.push(`${registry.host}/t/bb:1`, { manifest: image.manifest });
      expect(pushed.digest).toBe(image.manifest.digest);
      const target = await LocalContentStore.open(join(tmp, `${auth}-target`));
      const pulled = await new LocalRegistryClient({ store: target, dockerConfigPath: config }).pull(`${registry.host}/t/bb:1`);
      expect(pulled.manifest.digest).toBe(image.manifest.digest);
      expect(await target.info(image.layers[0]!.digest)).toEqual({ digest: image.layers[0]!.digest, size: image.layers[0]!.size });

      expect(await client.logout(registry.host)).toBe(true);
      await expect(new LocalRegistryClient({ store: target, dockerConfigPath: config }).resolve(`${registry.host}/t/bb:1`))
        .rejects.toMatchObject({ code: 'permission_denied' });
    });

    if (auth === 'token') {
      it('asks the token server once per scope and reuses the token', async () => {
        const config = join(tmp, 'token-reuse.json');
        writeFileSync(config, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('alice:w0nder:land').toString('base64') } } }));
        const store = await LocalContentStore.open(join(tmp, 'token-reuse'));
        const client = new LocalRegistryClient({ store, dockerConfigPath: config });
        registry.tokenRequests.length = 0;
        await client.pull(`${registry.host}/t/bb:1`);
        await client.pull(`${registry.host}/t/bb:1`);
        expect(registry.tokenRequests).toEqual([{ scopes: ['repository:t/bb:pull'], account: 'alice' }]);
      });
    }
  });
}
