import type { OciSeccomp } from './config-types.js';
import type { PlanSeccomp } from './plan-types.js';
import { invalidField } from './invalid.js';

const NOTIFY = 'SCMP_ACT_NOTIFY';

function exact(v: number, path: string): number {
  if (!Number.isSafeInteger(v)) throw invalidField(path, `${v} is not exactly representable (above 2^53)`);
  return v;
}

/**
 * linux.seccomp passed through with defaults filled. Names of actions, architectures,
 * flags and operators are checked by the schema's enums; user notification is rejected.
 */
export function translateSeccomp(seccomp: OciSeccomp | undefined): PlanSeccomp | null {
  if (!seccomp) return null;
  const base = '/linux/seccomp';
  if (seccomp.defaultAction === NOTIFY) throw invalidField(`${base}/defaultAction`, 'seccomp user notification is not supported by tsrun');
  return {
    defaultAction: seccomp.defaultAction,
    defaultErrnoRet: seccomp.defaultErrnoRet ?? null,
    architectures: [...(seccomp.architectures ?? [])],
    flags: [...(seccomp.flags ?? [])],
    syscalls: (seccomp.syscalls ?? []).map((sc, i) => {
      const path = `${base}/syscalls/${i}`;
      if (sc.action === NOTIFY) throw invalidField(`${path}/action`, 'seccomp user notification is not supported by tsrun');
      sc.names.forEach((name, j) => {
        if (!/^[a-z0-9_]+$/.test(name)) throw invalidField(`${path}/names/${j}`, `${JSON.stringify(name)} is not a syscall name`);
      });
      return {
        names: [...sc.names],
        action: sc.action,
        errnoRet: sc.errnoRet ?? null,
        args: (sc.args ?? []).map((a, k) => ({
          index: a.index,
          value: exact(a.value, `${path}/args/${k}/value`),
          valueTwo: exact(a.valueTwo ?? 0, `${path}/args/${k}/valueTwo`),
          op: a.op,
        })),
      };
    }),
  };
}
