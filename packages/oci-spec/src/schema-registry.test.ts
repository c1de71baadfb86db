import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRuntimeConfig as precompiled } from './generated/runtime-config-validator.js';
import { compileValidator, getValidator, type SchemaValidator } from './schema-registry.js';

const runcSpec = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('./testdata/runc-spec-config.json', import.meta.url), 'utf8'));

/** Broken configs reaching each kind of keyword: type, required, enum, pattern, minItems, min/max, additionalProperties, oneOf. */
const BROKEN: Array<[string, (c: Record<string, any>) => void]> = [
  ['not an object', (c) => Object.keys(c).forEach((k) => delete c[k])],
  ['args not strings', (c) => (c.process.args = ['sh', 1])],
  ['no cwd', (c) => delete c.process.cwd],
  ['bad namespace', (c) => c.linux.namespaces.push({ type: 'bogus' })],
  ['negative uid', (c) => (c.process.user.uid = -1)],
  ['huge uid', (c) => (c.process.user.uid = 2 ** 33)],
  ['bad rlimit type', (c) => (c.process.rlimits[0].type = 'NOFILE')],
  ['bad mount', (c) => (c.mounts[0].options = 'ro')],
  ['bad device type', (c) => (c.linux.devices = [{ path: '/dev/x', type: 'q' }])],
  ['bad seccomp action', (c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_NOPE' })],
  ['bad hook', (c) => (c.hooks = { prestart: [{ args: [] }] })],
  ['bad memory limit', (c) => (c.linux.resources.memory = { limit: 'lots' })],
  ['bad idmapping', (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1 }])],
];

const run = (fn: SchemaValidator, doc: unknown) => (fn(doc) ? [] : fn.errors?.map((e) => [e.instancePath, e.keyword, e.message, e.params]));

describe('the precompiled runtime config validator', () => {
  it('is the one validation uses', () => {
    expect(getValidator('runtime-spec/config-schema.json')).toBe(precompiled);
  });

  it('reports exactly what ajv compiled at run time reports', () => {
    const compiled = compileValidator('runtime-spec/config-schema.json');
    expect(run(precompiled, runcSpec())).toEqual([]);
    for (const [what, edit] of BROKEN) {
      const c = runcSpec();
      edit(c);
      const errors = run(compiled, c);
      expect(errors, what).not.toEqual([]);
      expect(run(precompiled, c), what).toEqual(errors);
    }
  });
});
