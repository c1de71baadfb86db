/**
 * The validators of the vendored OCI schemas. The runtime config's is precompiled at
 * build time (tools/gen-oci-types.ts): compiling it costs ~100 ms, paid otherwise by
 * every one-shot planner and the first request of a resident one. The others are
 * compiled with ajv on first use, so nothing happens at import time.
 */
import type { ErrorObject } from 'ajv';
import { imageSpecSchemas, runtimeSpecSchemas } from './generated/schemas.js';
import { validateRuntimeConfig as precompiledRuntimeConfig } from './generated/runtime-config-validator.js';
import { createSchemaAjv, type SchemaAjv } from './schema-ajv.js';

export type SchemaName =
  | 'runtime-spec/config-schema.json'
  | 'runtime-spec/state-schema.json'
  | 'runtime-spec/features-schema.json'
  | 'image-spec/image-manifest-schema.json'
  | 'image-spec/image-index-schema.json'
  | 'image-spec/config-schema.json'
  | 'image-spec/content-descriptor.json'
  | 'image-spec/image-layout-schema.json';

/** What validate.ts needs of an ajv validate function, compiled or precompiled alike. */
export interface SchemaValidator {
  (doc: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const instances = new Map<string, SchemaAjv>();
const compiled = new Map<SchemaName, SchemaValidator>([['runtime-spec/config-schema.json', precompiledRuntimeConfig]]);

function ajvFor(spec: 'runtime-spec' | 'image-spec'): SchemaAjv {
  let ajv = instances.get(spec);
  if (ajv) return ajv;
  ajv = createSchemaAjv(spec === 'runtime-spec' ? runtimeSpecSchemas : imageSpecSchemas);
  instances.set(spec, ajv);
  return ajv;
}

/** The validator of a schema compiled now with ajv, never the precompiled one (tests compare the two). */
export function compileValidator(name: SchemaName): SchemaValidator {
  const [spec, file] = name.split('/') as ['runtime-spec' | 'image-spec', string];
  const fn = ajvFor(spec).getSchema(file);
  if (!fn) throw new Error(`schema ${name} is not registered`);
  return fn;
}

export function getValidator(name: SchemaName): SchemaValidator {
  let fn = compiled.get(name);
  if (fn) return fn;
  fn = compileValidator(name);
  compiled.set(name, fn);
  return fn;
}
