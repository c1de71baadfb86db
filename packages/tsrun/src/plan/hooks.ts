import { posix } from 'node:path';
import type { OciHooks } from './config-types.js';
import { HOOK_KINDS, type PlanHooks } from './plan-types.js';
import { invalidField } from './invalid.js';

export function translateHooks(hooks: OciHooks | undefined): PlanHooks {
  const out = {} as PlanHooks;
  for (const kind of HOOK_KINDS) {
    out[kind] = (hooks?.[kind] ?? []).map((h, i) => {
      if (!posix.isAbsolute(h.path)) throw invalidField(`/hooks/${kind}/${i}/path`, `${JSON.stringify(h.path)} is not an absolute path`);
      return { path: h.path, args: [...(h.args ?? [])], env: [...(h.env ?? [])], timeout: h.timeout ?? null };
    });
  }
  return out;
}
