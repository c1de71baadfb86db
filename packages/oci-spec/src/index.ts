export * from './errors.js';
export * from './digest.js';
export {
  validateRuntimeConfig,
  validateRuntimeState,
  validateRuntimeFeatures,
  validateImageManifest,
  validateImageIndex,
  validateImageConfig,
  assertRuntimeConfig,
  assertRuntimeState,
  assertRuntimeFeatures,
  assertImageManifest,
  assertImageIndex,
  assertImageConfig,
  formatValidationError,
  type ValidationError,
} from './validate.js';
export { fixupSchema } from './schema-fixups.js';
export type * from './generated/index.js';
