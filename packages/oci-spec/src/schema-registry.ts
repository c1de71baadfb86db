/**
 * Compiles the vendored OCI schemas with ajv (draft-04) on first use. Compiling costs
 * tens of milliseconds, so nothing happens at import time.
 */
import AjvDraft04Module from 'ajv-draft-04';
import ajvFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { imageSpecSchemas, runtimeSpecSchemas } from './generated/schemas.js';
import { fixupSchema } from './schema-fixups.js';

// Both are CommonJS modules whose export is also reachable as `.default`.
type AjvCtor = typeof AjvDraft04Module.default;
const AjvDraft04: AjvCtor = (AjvDraft04Module as unknown as { default?: AjvCtor }).default ?? (AjvDraft04Module as unknown as AjvCtor);
type AddFormats = typeof ajvFormatsModule.default;
const addFormats: AddFormats = (ajvFormatsModule as unknown as { default?: AddFormats }).default ?? (ajvFormatsModule as unknown as AddFormats);

export type SchemaName =
  | 'runtime-spec/config-schema.json'
  | 'runtime-spec/state-schema.json'
  | 'runtime-spec/features-schema.json'
  | 'image-spec/image-manifest-schema.json'
  | 'image-spec/image-index-schema.json'
  | 'image-spec/config-schema.json'
  | 'image-spec/content-descriptor.json'
  | 'image-spec/image-layout-schema.json';

type Ajv = InstanceType<AjvCtor>;
const instances = new Map<string, Ajv>();
const compiled = new Map<SchemaName, ValidateFunction>();

/** One ajv instance per spec, each schema registered under its file name so that relative refs resolve. */
function ajvFor(spec: 'runtime-spec' | 'image-spec'): Ajv {
  let ajv = instances.get(spec);
  if (ajv) return ajv;
  ajv = new AjvDraft04({ strict: false, allErrors: false });
  addFormats(ajv);
  const docs = spec === 'runtime-spec' ? runtimeSpecSchemas : imageSpecSchemas;
  for (const [file, doc] of Object.entries(docs)) ajv.addSchema(fixupSchema(doc), file);
  instances.set(spec, ajv);
  return ajv;
}

export function getValidator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (fn) return fn;
  const [spec, file] = name.split('/') as ['runtime-spec' | 'image-spec', string];
  fn = ajvFor(spec).getSchema(file);
  if (!fn) throw new Error(`schema ${name} is not registered`);
  compiled.set(name, fn);
  return fn;
}
