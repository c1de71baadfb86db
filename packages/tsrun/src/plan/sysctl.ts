import type { PlanNamespace, PlanSysctl } from './plan-types.js';
import { invalidField, pointer } from './invalid.js';
import { hasNamespace } from './namespaces.js';

const IPC_SYSCTLS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem',
  'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced',
]);

/** sysctl(8) accepts "net/ipv4/ip_forward" for "net.ipv4.ip_forward": the first separator decides. */
export function normalizeSysctlKey(key: string): string {
  const first = key.search(/[./]/);
  if (first === -1 || key[first] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * Only sysctls that live in a namespace the container has (new or joined) are
 * allowed; anything else would change the host.
 */
export function translateSysctl(sysctl: Record<string, string> | undefined, namespaces: readonly PlanNamespace[]): PlanSysctl[] {
  return Object.entries(sysctl ?? {}).map(([rawKey, value]) => {
    const key = normalizeSysctlKey(rawKey);
    const path = pointer('linux', 'sysctl', rawKey);
    const need = (type: 'ipc' | 'network' | 'uts'): void => {
      if (!hasNamespace(namespaces, type)) throw invalidField(path, `${key} needs ${type === 'ipc' ? 'an' : 'a'} ${type} namespace (it would change the host's)`);
    };
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) need('ipc');
    else if (key.startsWith('net.')) need('network');
    else if (key === 'kernel.hostname' || key === 'kernel.domainname') {
      need('uts');
      if (key === 'kernel.hostname') throw invalidField(path, 'kernel.hostname conflicts with the hostname field; set hostname instead');
    } else throw invalidField(path, `${key} is not in a separate kernel namespace`);
    return { key, value };
  });
}
