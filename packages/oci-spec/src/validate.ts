import type { ErrorObject } from 'ajv';
import { EngineError } from './errors.js';
import { getValidator, type SchemaName } from './schema-registry.js';
import type {
  ImageConfig,
  ImageIndex,
  ImageManifest,
  RuntimeConfig,
  RuntimeFeatures,
  RuntimeState,
} from './generated/index.js';

/** One schema violation: a JSON pointer into the document and what is wrong there. */
export interface ValidationError {
  path: string;
  message: string;
}

function toValidationError(e: ErrorObject): ValidationError {
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    if (allowed) message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'additionalProperties') {
    message = `must NOT have additional property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  }
  return { path: e.instancePath, message };
}

function run(name: SchemaName, doc: unknown): ValidationError[] {
  const fn = getValidator(name);
  if (fn(doc)) return [];
  const seen = new Set<string>();
  const out: ValidationError[] = [];
  for (const e of (fn.errors ?? []).map(toValidationError)) {
    const key = `${e.path}\0${e.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

export const validateRuntimeConfig = (doc: unknown): ValidationError[] => run('runtime-spec/config-schema.json', doc);
export const validateRuntimeState = (doc: unknown): ValidationError[] => run('runtime-spec/state-schema.json', doc);
export const validateRuntimeFeatures = (doc: unknown): ValidationError[] => run('runtime-spec/features-schema.json', doc);
export const validateImageManifest = (doc: unknown): ValidationError[] => run('image-spec/image-manifest-schema.json', doc);
export const validateImageIndex = (doc: unknown): ValidationError[] => run('image-spec/image-index-schema.json', doc);
export const validateImageConfig = (doc: unknown): ValidationError[] => run('image-spec/config-schema.json', doc);

/** "config.json: /process/args/0: must be string"; the document root is shown as "/". */
export function formatValidationError(source: string, e: ValidationError): string {
  return `${source}: ${e.path === '' ? '/' : e.path}: ${e.message}`;
}

function assertValid<T>(errors: ValidationError[], source: string, doc: unknown): asserts doc is T {
  const first = errors[0];
  if (first) throw new EngineError('invalid_argument', formatValidationError(source, first));
}

export function assertRuntimeConfig(doc: unknown, source = 'config.json'): asserts doc is RuntimeConfig {
  assertValid<RuntimeConfig>(validateRuntimeConfig(doc), source, doc);
}
export function assertRuntimeState(doc: unknown, source = 'state.json'): asserts doc is RuntimeState {
  assertValid<RuntimeState>(validateRuntimeState(doc), source, doc);
}
export function assertRuntimeFeatures(doc: unknown, source = 'features.json'): asserts doc is RuntimeFeatures {
  assertValid<RuntimeFeatures>(validateRuntimeFeatures(doc), source, doc);
}
export function assertImageManifest(doc: unknown, source = 'manifest'): asserts doc is ImageManifest {
  assertValid<ImageManifest>(validateImageManifest(doc), source, doc);
}
export function assertImageIndex(doc: unknown, source = 'index'): asserts doc is ImageIndex {
  assertValid<ImageIndex>(validateImageIndex(doc), source, doc);
}
export function assertImageConfig(doc: unknown, source = 'image config'): asserts doc is ImageConfig {
  assertValid<ImageConfig>(validateImageConfig(doc), source, doc);
}
