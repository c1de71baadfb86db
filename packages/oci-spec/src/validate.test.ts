import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEngineError } from './errors.js';
import {
  assertRuntimeConfig,
  formatValidationError,
  validateImageConfig,
  validateImageIndex,
  validateImageManifest,
  validateRuntimeConfig,
  validateRuntimeFeatures,
  validateRuntimeState,
} from './validate.js';

const runcSpec = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('./testdata/runc-spec-config.json', import.meta.url), 'utf8'));

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('runtime-spec validation', () => {
  it('accepts the default runc spec', () => {
    expect(validateRuntimeConfig(runcSpec())).toEqual([]);
  });

  it('reports a JSON pointer and ajv message', () => {
    const c = runcSpec();
    c.process.args = ['sh', 1];
    expect(validateRuntimeConfig(c)).toEqual([{ path: '/process/args/1', message: 'must be string' }]);
    expect(formatValidationError('config.json', { path: '/process/args/1', message: 'must be string' })).toBe(
      'config.json: /process/args/1: must be string',
    );
  });

  it('names missing required properties and bad enums', () => {
    expect(validateRuntimeConfig({})[0]).toEqual({ path: '', message: "must have required property 'ociVersion'" });
    const c = runcSpec();
    c.linux.namespaces.push({ type: 'bogus' });
    const [e] = validateRuntimeConfig(c);
    expect(e?.path).toBe('/linux/namespaces/5/type');
    expect(e?.message).toMatch(/^must be one of "mount", /);
  });

  it('loads defs.json despite its malformed #definitions ref (uint32 users validate)', () => {
    const c = runcSpec();
    c.process.user.uid = -1;
    expect(validateRuntimeConfig(c)[0]?.path).toBe('/process/user/uid');
  });

  it('assert throws invalid_argument with the formatted message', () => {
    const c = runcSpec();
    delete c.process.cwd;
    try {
      assertRuntimeConfig(c);
      expect.unreachable();
    } catch (e) {
      expect(isEngineError(e) && e.code).toBe('invalid_argument');
      expect((e as Error).message).toBe("config.json: /process: must have required property 'cwd'");
    }
  });

  it('validates state and features documents', () => {
    expect(validateRuntimeState({ ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 4, bundle: '/b' })).toEqual([]);
    expect(validateRuntimeState({ ociVersion: '1.3.0', id: 'c1', status: 'weird', bundle: '/b' })[0]?.path).toBe('/status');
    expect(validateRuntimeFeatures({ ociVersionMin: '1.0.0', ociVersionMax: '1.3.0' })).toEqual([]);
  });
});

describe('image-spec validation (nested ids removed, refs by file name)', () => {
  const descriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', size: 7, digest: DIGEST };

  it('accepts a manifest and an index', () => {
    expect(
      validateImageManifest({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: descriptor,
        layers: [{ ...descriptor, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
      }),
    ).toEqual([]);
    expect(
      validateImageIndex({
        schemaVersion: 2,
        manifests: [{ ...descriptor, platform: { architecture: 'amd64', os: 'linux' } }],
      }),
    ).toEqual([]);
  });

  it('rejects broken manifests and configs with paths', () => {
    expect(validateImageManifest({ schemaVersion: 2, config: descriptor, layers: [] })).toEqual([
      { path: '/layers', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(validateImageManifest({ schemaVersion: 2, config: { ...descriptor, size: 'x' }, layers: [descriptor] })[0]?.path).toBe(
      '/config/size',
    );
    expect(validateImageConfig({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [DIGEST] } })).toEqual([]);
    expect(validateImageConfig({ architecture: 'amd64' })[0]?.message).toBe("must have required property 'os'");
  });
});
