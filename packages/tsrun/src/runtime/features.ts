import type { RuntimeFeatures } from '@tsrun/oci-spec';
import { CAPABILITY_NAMES } from '../plan/capabilities.js';
import { knownMountOptions } from '../plan/mount-flags.js';
import { NAMESPACE_TYPES } from '../plan/namespaces.js';
import { HOOK_KINDS } from '../plan/plan-types.js';
import { OCI_VERSION } from './default-spec.js';

type Seccomp = NonNullable<NonNullable<RuntimeFeatures['linux']>['seccomp']>;

/** What `tsrun features` reports: what the planner accepts (everything it rejects is reported disabled). */
export function tsrunFeatures(version: string): RuntimeFeatures {
  const actions: NonNullable<Seccomp['actions']> = [
    'SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD',
    'SCMP_ACT_LOG', 'SCMP_ACT_TRACE', 'SCMP_ACT_TRAP',
  ];
  const operators: NonNullable<Seccomp['operators']> = [
    'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_LE', 'SCMP_CMP_LT', 'SCMP_CMP_MASKED_EQ', 'SCMP_CMP_NE',
  ];
  const archs: NonNullable<Seccomp['archs']> = ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'];
  const flags: NonNullable<Seccomp['knownFlags']> = ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'];
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_KINDS],
    mountOptions: knownMountOptions(),
    annotations: { 'org.tsrun.version': version },
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...CAPABILITY_NAMES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: { enabled: true, actions, operators, archs, knownFlags: flags, supportedFlags: flags },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
      netDevices: { enabled: false },
    },
  };
}
