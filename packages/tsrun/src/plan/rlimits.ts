import type { OciRlimit } from './config-types.js';
import type { PlanRlimit } from './plan-types.js';
import { invalidField } from './invalid.js';

/** RLIMIT_* numbers (asm-generic/resource.h, x86_64). */
export const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};

/**
 * RLIM_INFINITY is 2^64-1, which JSON.parse reads as 2^64. Any value at or above
 * 2^63 is the infinity in practice; below that a value must be exact.
 */
function limitValue(v: number, path: string): number {
  if (v >= 2 ** 63) return -1;
  if (!Number.isSafeInteger(v) || v < 0) throw invalidField(path, `${v} is not a representable limit (use 18446744073709551615 for unlimited)`);
  return v;
}

export function translateRlimits(rlimits: readonly OciRlimit[] | undefined, path = '/process/rlimits'): PlanRlimit[] {
  const seen = new Set<number>();
  return (rlimits ?? []).map((r, i) => {
    const resource = RLIMITS[r.type];
    if (resource === undefined) throw invalidField(`${path}/${i}/type`, `unknown rlimit ${JSON.stringify(r.type)}`);
    if (seen.has(resource)) throw invalidField(`${path}/${i}/type`, `duplicate rlimit ${r.type}`);
    seen.add(resource);
    const soft = limitValue(r.soft, `${path}/${i}/soft`);
    const hard = limitValue(r.hard, `${path}/${i}/hard`);
    if (hard !== -1 && (soft === -1 || soft > hard)) throw invalidField(`${path}/${i}`, `soft limit exceeds hard limit for ${r.type}`);
    return { resource, soft, hard };
  });
}
