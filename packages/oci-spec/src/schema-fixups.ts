/**
 * Load-time fix-ups for the vendored OCI schemas (see specs/README.md), applied to a
 * deep copy so that the vendored files stay byte-identical to upstream.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** runtime-spec defs.json has `#definitions/uint32` (no slash), which ajv rejects. */
function fixRef(ref: string): string {
  return ref.startsWith('#definitions/') ? `#/${ref.slice(1)}` : ref;
}

/**
 * Returns a fixed copy: malformed local refs repaired, and every string-valued draft-04
 * `id` removed, because image-spec's nested ids change the resolution scope and break
 * relative refs such as `defs-descriptor.json#/...`. A property *named* `id` (an object
 * under `properties`) is kept.
 */
export function fixupSchema<T>(schema: T): T {
  return walk(schema as Json) as T;
}

function walk(node: Json): Json {
  if (Array.isArray(node)) return node.map(walk);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' && typeof value === 'string') continue;
    if (key === '$ref' && typeof value === 'string') out[key] = fixRef(value);
    else out[key] = walk(value);
  }
  return out;
}
