import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { runContainer } from '../lib/container.ts';
import { leftovers } from '../lib/leftovers.ts';
import { isTsrun, rt, rtOk, RUNTIME_BIN, state } from '../lib/runtime.ts';

function sh(script: string, edit?: Parameters<typeof runContainer>[1]) {
  const r = runContainer(['sh', '-c', script], edit);
  if (r.code !== 0) throw new Error(`container exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const bundles: Bundle[] = [];
afterEach(() => {
  for (const b of bundles.splice(0)) {
    rt(['delete', '--force', b.id]);
    b.remove();
  }
});

// CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): the default spec's set.
const DEFAULT_CAPS = '0000000020000420';

describe('capabilities, no_new_privs, seccomp', () => {
  it('keeps exactly the capability sets of the spec and sets no_new_privs', () => {
    const out = sh('grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status; hostname x 2>&1 || true');
    expect(out).toContain(`CapPrm:\t${DEFAULT_CAPS}`);
    expect(out).toContain(`CapEff:\t${DEFAULT_CAPS}`);
    expect(out).toContain(`CapBnd:\t${DEFAULT_CAPS}`);
    // Ambient capabilities must also be inheritable; the default spec has none, so none are ambient.
    expect(out).toContain('CapAmb:\t0000000000000000');
    expect(out).toContain('NoNewPrivs:\t1');
    expect(out).toMatch(/hostname: sethostname: Operation not permitted/);
  });

  it('gives a non-root user only its ambient capabilities', () => {
    const out = sh('grep -E "^Cap(Eff|Bnd)" /proc/self/status', (c) => {
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.capabilities.ambient = [];
      c.process.capabilities.inheritable = [];
    });
    expect(out).toBe(`CapEff:\t0000000000000000\nCapBnd:\t${DEFAULT_CAPS}\n`);
  });

  it('denies the syscalls the seccomp profile denies', () => {
    const out = sh('grep Seccomp: /proc/self/status; mkdir /dev/shm/x 2>&1; ls -d /dev/shm/x 2>&1; echo end', (c) => {
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
      };
    });
    expect(out).toMatch(/^Seccomp:\t2\n/);
    expect(out).toMatch(/mkdir: can't create directory '\/dev\/shm\/x': Operation not permitted/);
    expect(out).toMatch(/No such file or directory\nend\n$/);
  });

  it('starts and execs under a profile that refuses close_range', () => {
    // as an allow-list profile does that predates close_range (runtime-tools' default)
    for (const nnp of [true, false]) {
      const b = makeBundle(['sleep', '30'], (c) => {
        c.process.noNewPrivileges = nnp;
        c.linux.seccomp = {
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: ['SCMP_ARCH_X86_64'],
          syscalls: [{ names: ['close_range'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
        };
      });
      bundles.push(b);
      rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
      expect(rtOk(['exec', b.id, 'echo', 'exec works'])).toBe('exec works\n');
    }
  });

  it('kills a process on a SCMP_ACT_KILL syscall', () => {
    const r = runContainer(['sh', '-c', 'uname -a; echo survived'], (c) => {
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['uname'], action: 'SCMP_ACT_KILL' }],
      };
    });
    expect(r.stdout).not.toContain('survived');
    expect(r.code).toBe(128 + 31);
  });
});

describe('attacks', () => {
  it('CVE-2024-21626: no host fd leaks into the container, and a cwd through a leaked fd cannot escape', () => {
    const fds = sh('ls /proc/1/fd; true');
    expect(fds.trim().split('\n').map(Number).filter((fd) => fd > 2)).toEqual([]);
    for (let fd = 3; fd <= 12; fd += 1) {
      const r = runContainer(['sh', '-c', 'pwd; ls ..'], (c) => {
        c.process.cwd = `/proc/self/fd/${fd}`;
      });
      if (r.code === 0) expect(r.stdout).not.toMatch(/unreachable/);
    }
  });

  it('CVE-2019-5736: the container cannot overwrite the runtime binary through /proc/<pid>/exe', async () => {
    const before = createHash('sha256').update(readFileSync(RUNTIME_BIN)).digest('hex');
    const b = makeBundle(['sleep', '10']);
    bundles.push(b);
    rtOk(['create', '--bundle', b.dir, b.id]);
    const { pid } = state(b.id);
    if (isTsrun) expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/^\/memfd:/);
    // Inside the container's mount and pid namespaces: hold the runtime's exe
    // (pid 1 before start), wait until the container process replaced it, then
    // try to write through the held reference, as the published exploit does.
    const attack = spawn('nsenter', ['--target', String(pid), '--mount', '--pid', '--',
      '/bin/busybox', 'sh', '-c',
      'exec 3</proc/1/exe; while [ "$(readlink /proc/1/exe)" != /bin/busybox ]; do usleep 10000; done; ' +
      'if echo pwned >> /proc/self/fd/3; then echo WROTE; else echo DENIED; fi'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    attack.stdout.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 200));
    rtOk(['start', b.id]);
    await new Promise((r) => attack.on('exit', r));
    expect(out.trim()).toBe('DENIED');
    expect(createHash('sha256').update(readFileSync(RUNTIME_BIN)).digest('hex')).toBe(before);
  });

  it('CVE-2021-30465: mount destinations resolve inside the rootfs, through symlinks and ..', () => {
    const tag = `tsrun-e2e-${process.pid}`;
    const hostTarget = `/tmp/${tag}-symlink`;
    mkdirSync(hostTarget, { recursive: true });
    writeFileSync(join(hostTarget, 'marker'), 'host');
    try {
      const r = runContainer(['sh', '-c', `grep -c " /tmp/${tag}-symlink " /proc/self/mountinfo; grep -c " /tmp/${tag}-dotdot " /proc/self/mountinfo`], (c, dir) => {
        symlinkSync(hostTarget, join(dir, 'rootfs/evil'));
        c.mounts.push({ destination: '/evil', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] });
        c.mounts.push({ destination: `/../../../../../../tmp/${tag}-dotdot`, type: 'tmpfs', source: 'tmpfs' });
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('1\n1\n');
      expect(readFileSync(join(hostTarget, 'marker'), 'utf8')).toBe('host');
      expect(existsSync(`/tmp/${tag}-dotdot`)).toBe(false);
      expect(leftovers(r.bundle.id, r.bundle.dir)).toEqual([]);
    } finally {
      rmSync(hostTarget, { recursive: true, force: true });
    }
  });
});
