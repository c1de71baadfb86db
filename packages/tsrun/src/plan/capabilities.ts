import type { LinuxCapabilities } from './config-types.js';
import type { PlanCapabilities } from './plan-types.js';
import { invalidField } from './invalid.js';

/** Linux capability numbers (linux/capability.h), CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

const CAP_NUMBERS: ReadonlyMap<string, number> = new Map(CAPABILITY_NAMES.map((name, i) => [name, i]));

export function capabilityNumber(name: string): number | undefined {
  return CAP_NUMBERS.get(name);
}

const SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

/** A set of names as a bit mask; the mask exceeds 32 bits, so it is built with BigInt and fits in 2^53. */
function mask(names: readonly string[] | undefined, path: string): number {
  let bits = 0n;
  (names ?? []).forEach((name, i) => {
    const n = CAP_NUMBERS.get(name);
    if (n === undefined) throw invalidField(`${path}/${i}`, `unknown capability ${JSON.stringify(name)}`);
    bits |= 1n << BigInt(n);
  });
  return Number(bits);
}

/** process.capabilities as masks; absent capabilities -> null (the shim leaves the sets alone). */
export function capabilityMasks(caps: LinuxCapabilities | undefined, path = '/process/capabilities'): PlanCapabilities | null {
  if (!caps) return null;
  const out = {} as PlanCapabilities;
  for (const set of SETS) out[set] = mask(caps[set], `${path}/${set}`);
  // The kernel lets a capability be ambient only while it is both permitted and
  // inheritable (PR_CAP_AMBIENT_RAISE fails otherwise); runc skips the others, so
  // specs written for runc (its default lists ambient but no inheritable) work here.
  out.ambient = Number(BigInt(out.ambient) & BigInt(out.permitted) & BigInt(out.inheritable));
  return out;
}

/** The names in a mask, lowest bit first (for features and tests). */
export function capabilityNamesOf(bits: number): string[] {
  const b = BigInt(bits);
  return CAPABILITY_NAMES.filter((_, i) => (b >> BigInt(i)) & 1n);
}
