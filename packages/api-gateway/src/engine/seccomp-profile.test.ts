import { describe, expect, it } from 'vitest';
import { seccompProfile } from './seccomp-profile.js';
import { DEFAULT_CAPS } from './spec-builder.js';

const deniedBy = (caps: string[]): string[] => seccompProfile(caps).syscalls![0]!.names;
const cloneRules = (caps: string[]): number => seccompProfile(caps).syscalls!.filter((s) => s.names.includes('clone')).length;

describe('seccompProfile', () => {
  it('allows by default and closes what Docker\'s default set of capabilities does not govern', () => {
    const p = seccompProfile(DEFAULT_CAPS);
    expect(p.defaultAction).toBe('SCMP_ACT_ALLOW');
    const denied = deniedBy(DEFAULT_CAPS);
    for (const name of ['mount', 'unshare', 'setns', 'open_by_handle_at', 'keyctl', 'init_module', 'reboot', 'ptrace', 'bpf']) expect(denied).toContain(name);
    expect(denied).not.toContain('read');
    expect(cloneRules(DEFAULT_CAPS)).toBe(8);
    expect(p.syscalls!.find((s) => s.names.includes('clone3'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  });

  it('opens what an added capability governs, and only that', () => {
    const withAdmin = deniedBy([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
    expect(withAdmin).not.toContain('mount');
    expect(withAdmin).not.toContain('unshare');
    expect(withAdmin).toContain('ptrace');
    expect(withAdmin).toContain('keyctl');
    expect(cloneRules([...DEFAULT_CAPS, 'CAP_SYS_ADMIN'])).toBe(0);
    expect(deniedBy([...DEFAULT_CAPS, 'CAP_SYS_PTRACE'])).not.toContain('ptrace');
    expect(deniedBy([...DEFAULT_CAPS, 'CAP_DAC_READ_SEARCH'])).not.toContain('open_by_handle_at');
  });

  it('tests each namespace flag of clone with a masked compare of its own', () => {
    const rules = seccompProfile(DEFAULT_CAPS).syscalls!.filter((s) => s.names.includes('clone'));
    const userNs = rules.find((r) => r.args?.[0]?.value === 0x10000000);
    expect(userNs?.args).toEqual([{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' }]);
  });
});
