/**
 * The one ajv set-up for the OCI schemas. The run-time registry and the build-time
 * validator generator (tools/gen-oci-types.ts) both use it, so that a precompiled
 * validator reports exactly what a run-time compiled one would.
 */
import AjvDraft04Module from 'ajv-draft-04';
import ajvFormatsModule from 'ajv-formats';
import { fixupSchema } from './schema-fixups.js';

// Both are CommonJS modules whose export is also reachable as `.default`.
type AjvCtor = typeof AjvDraft04Module.default;
const AjvDraft04: AjvCtor = (AjvDraft04Module as unknown as { default?: AjvCtor }).default ?? (AjvDraft04Module as unknown as AjvCtor);
type AddFormats = typeof ajvFormatsModule.default;
const addFormats: AddFormats = (ajvFormatsModule as unknown as { default?: AddFormats }).default ?? (ajvFormatsModule as unknown as AddFormats);

export type SchemaAjv = InstanceType<AjvCtor>;

/** ajv (draft-04) with every document of one spec registered under its file name, so that relative refs resolve.
 * `standalone` keeps the generated source for ajv/dist/standalone, as ES module code. */
export function createSchemaAjv(docs: Readonly<Record<string, object>>, standalone = false): SchemaAjv {
  const ajv = new AjvDraft04({ strict: false, allErrors: false, ...(standalone ? { code: { source: true, esm: true } } : {}) });
  addFormats(ajv);
  for (const [file, doc] of Object.entries(docs)) ajv.addSchema(fixupSchema(doc), file);
  return ajv;
}
