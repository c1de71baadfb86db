/**
 * The seccomp filter of a tsd container: what Docker's default profile is for,
 * written for tsd as a denylist (every syscall allowed but these, which fail
 * with EPERM). Kernel interfaces that are not namespaced (modules, keyrings,
 * clock, reboot, kexec, accounting, swap, raw I/O ports) and the ones container
 * escapes have used (open_by_handle_at, new namespaces, ptrace of other
 * processes) stay closed unless the capability that governs them is added;
 * --privileged runs without a filter. clone3 answers ENOSYS, as in Docker's
 * profile, so that libc falls back to clone, whose namespace flags a filter can
 * see.
 */
import type { RuntimeConfig } from '@tsrun/oci-spec';

type Seccomp = NonNullable<NonNullable<RuntimeConfig['linux']>['seccomp']>;

const EPERM = 1;
const ENOSYS = 38;

/** Syscalls closed unless the capability is in the container's set ('' : always closed). */
const GATED: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_ADMIN: ['mount', 'umount', 'umount2', 'unshare', 'setns', 'pivot_root', 'swapon', 'swapoff', 'quotactl', 'quotactl_fd',
    'lookup_dcookie', 'perf_event_open', 'bpf', 'fanotify_init', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'open_tree', 'move_mount',
    'mount_setattr', 'name_to_handle_at'],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms'],
  CAP_SYS_BOOT: ['reboot', 'kexec_load', 'kexec_file_load'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64'],
  CAP_SYS_PTRACE: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd', 'userfaultfd'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYSLOG: ['syslog'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  '': ['keyctl', 'add_key', 'request_key', 'uselib', 'ustat', 'sysfs', '_sysctl', 'nfsservctl', 'vm86', 'vm86old'],
};

/** CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME}: clone may not make namespaces without CAP_SYS_ADMIN. */
const CLONE_NEW_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];

export function seccompProfile(caps: readonly string[]): Seccomp {
  const have = new Set(caps);
  const [first, ...rest] = Object.entries(GATED).filter(([cap]) => cap === '' || !have.has(cap)).flatMap(([, names]) => names);
  const syscalls: NonNullable<Seccomp['syscalls']> = [
    { names: [first!, ...rest], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
  ];
  if (!have.has('CAP_SYS_ADMIN')) {
    // one rule a flag: libseccomp ORs the rules of a syscall, and a masked compare tests one value
    for (const flag of CLONE_NEW_FLAGS) {
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] });
    }
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls };
}
