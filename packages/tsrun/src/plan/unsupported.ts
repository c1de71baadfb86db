import type { RuntimeConfig } from './config-types.js';
import { invalidField } from './invalid.js';

interface Rule {
  path: string;
  get: (c: RuntimeConfig) => unknown;
  reason: string;
}

const present = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** Fields tsrun cannot honour. Each is rejected, never silently dropped. */
const RULES: readonly Rule[] = [
  { path: '/process/apparmorProfile', get: (c) => c.process?.apparmorProfile, reason: 'AppArmor is not available on this host' },
  { path: '/process/selinuxLabel', get: (c) => c.process?.selinuxLabel, reason: 'SELinux is not supported by tsrun' },
  { path: '/linux/mountLabel', get: (c) => c.linux?.mountLabel, reason: 'SELinux is not supported by tsrun' },
  { path: '/process/scheduler', get: (c) => c.process?.scheduler, reason: 'scheduling policies (sched_setattr) are not supported by tsrun' },
  { path: '/process/execCPUAffinity', get: (c) => c.process?.execCPUAffinity, reason: 'exec CPU affinity is not supported by tsrun' },
  { path: '/process/commandLine', get: (c) => c.process?.commandLine, reason: 'commandLine is Windows-only; use args' },
  { path: '/process/user/username', get: (c) => c.process?.user?.username, reason: 'username is Windows-only; use uid and gid' },
  { path: '/linux/intelRdt', get: (c) => c.linux?.intelRdt, reason: 'Intel RDT is not supported by tsrun' },
  { path: '/linux/personality', get: (c) => c.linux?.personality, reason: 'personality(2) domains are not supported by tsrun' },
  { path: '/linux/memoryPolicy', get: (c) => c.linux?.memoryPolicy, reason: 'NUMA memory policies are not supported by tsrun' },
  { path: '/linux/netDevices', get: (c) => c.linux?.netDevices, reason: 'moving network devices into the container is not supported by tsrun' },
  { path: '/linux/resources/rdma', get: (c) => c.linux?.resources?.rdma, reason: 'the rdma cgroup controller is not supported by tsrun' },
  { path: '/linux/seccomp/listenerPath', get: (c) => c.linux?.seccomp?.listenerPath, reason: 'seccomp user notification is not supported by tsrun' },
  { path: '/linux/seccomp/listenerMetadata', get: (c) => c.linux?.seccomp?.listenerMetadata, reason: 'seccomp user notification is not supported by tsrun' },
  { path: '/windows', get: (c) => c.windows, reason: 'tsrun runs Linux containers only' },
  { path: '/solaris', get: (c) => c.solaris, reason: 'tsrun runs Linux containers only' },
  { path: '/vm', get: (c) => c.vm, reason: 'tsrun runs Linux containers only' },
  { path: '/zos', get: (c) => c.zos, reason: 'tsrun runs Linux containers only' },
  { path: '/freebsd', get: (c) => c.freebsd, reason: 'tsrun runs Linux containers only' },
];

/** Deprecated fields the runtime-spec lets a runtime ignore: ignored, with a warning. */
const IGNORED: readonly Rule[] = [
  { path: '/linux/resources/memory/kernel', get: (c) => c.linux?.resources?.memory?.kernel, reason: 'ignored: kernel memory limits are deprecated (runtime-spec) and no longer enforced by the kernel' },
  { path: '/linux/resources/memory/kernelTCP', get: (c) => c.linux?.resources?.memory?.kernelTCP, reason: 'ignored: kernel TCP memory limits are deprecated (runtime-spec)' },
];

/** "config.json: <path>: ignored: <why>" for each deprecated field that is set. */
export function ignoredFields(config: RuntimeConfig): string[] {
  return IGNORED.filter((rule) => present(rule.get(config))).map((rule) => `config.json: ${rule.path}: ${rule.reason}`);
}

export function rejectUnsupported(config: RuntimeConfig): void {
  for (const rule of RULES) {
    if (present(rule.get(config))) throw invalidField(rule.path, rule.reason);
  }
}
