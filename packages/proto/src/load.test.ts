import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadProto } from './index.js';

const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

function protos(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? protos(join(dir, e.name)) : e.name.endsWith('.proto') ? [join(dir, e.name)] : [],
  );
}

describe('proto', () => {
  it('loads every contract in proto/', () => {
    for (const file of protos(PROTO_ROOT)) expect(loadProto(file.slice(PROTO_ROOT.length))).toBeTypeOf('object');
  });

  it('names a missing contract', () => {
    expect(() => loadProto('nope/v1/nope.proto')).toThrow('proto: nope/v1/nope.proto is not among the contracts');
  });
});
