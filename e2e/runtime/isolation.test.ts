import { readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeBundle } from '../lib/bundle.ts';
import { runContainer } from '../lib/container.ts';
import { leftovers } from '../lib/leftovers.ts';
import { rt, rtOk } from '../lib/runtime.ts';

function sh(script: string, edit?: Parameters<typeof runContainer>[1]) {
  const r = runContainer(['sh', '-c', script], edit);
  if (r.code !== 0) throw new Error(`container exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('isolation', () => {
  it('runs the process as pid 1 of its own pid namespace', () => {
    expect(sh('echo $$; tr "\\0" " " < /proc/1/cmdline; echo')).toBe('1\nsh -c echo $$; tr "\\0" " " < /proc/1/cmdline; echo \n');
  });

  it('has its own hostname, uts, ipc, net and mount namespaces', () => {
    const out = sh('hostname; for n in uts ipc net mnt pid; do readlink /proc/self/ns/$n; done; ls /sys/class/net', (c) => {
      c.hostname = 'tsrun-e2e';
    });
    const [hostname, ...rest] = out.trim().split('\n');
    expect(hostname).toBe('tsrun-e2e');
    for (const [i, n] of ['uts', 'ipc', 'net', 'mnt', 'pid'].entries()) {
      expect(rest[i]).not.toBe(readlinkSync(`/proc/self/ns/${n}`));
    }
    expect(rest.slice(5)).toEqual(['lo']);
  });

  it('mounts proc, a tmpfs /dev with the default devices, devpts, shm and mqueue', () => {
    const out = sh('awk \'{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1); break } }\' /proc/self/mountinfo; stat -c "%n %F %t:%T" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; readlink /dev/fd; readlink /dev/ptmx');
    for (const line of ['/proc proc', '/dev tmpfs', '/dev/pts devpts', '/dev/shm tmpfs', '/dev/mqueue mqueue', '/sys sysfs']) {
      expect(out).toContain(`${line}\n`);
    }
    expect(out).toContain('/dev/null character special file 1:3');
    expect(out).toContain('/dev/zero character special file 1:5');
    expect(out).toContain('/dev/urandom character special file 1:9');
    expect(out).toContain('/dev/tty character special file 5:0');
    expect(out).toContain('/proc/self/fd\npts/ptmx\n');
  });

  it('masks and write-protects the paths the spec names and keeps the root read-only', () => {
    const out = sh('wc -c < /proc/timer_list; sh -c "echo x > /proc/sys/kernel/domainname" 2>&1; touch /newfile 2>&1; echo done', (c) => {
      c.root.readonly = true;
    });
    expect(out).toMatch(/^0\n/);
    expect(out.match(/Read-only file system/g)?.length).toBe(2);
  });

  it('applies user, groups, cwd, env and umask', () => {
    const out = sh('id -u; id -g; id -G; pwd; echo $FOO; umask', (c) => {
      c.process.user = { uid: 1000, gid: 1000, additionalGids: [5], umask: 0o027 };
      c.process.cwd = '/tmp';
      c.process.env.push('FOO=bar baz');
    });
    expect(out.split('\n')).toEqual(['1000', '1000', '1000 5', '/tmp', 'bar baz', '0027', '']);
  });

  it('sets sysctls inside its namespaces', () => {
    const out = sh('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni', (c) => {
      c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '1000' };
    });
    expect(out).toBe('1\n1000\n');
  });
});

describe('a container without a mount namespace of its own', () => {
  it('shares the host\'s, keeps its mounts on its own rootfs, and leaves none after delete', () => {
    const b = makeBundle(['sh', '-c', 'readlink /proc/self/ns/mnt; ls /proc/self/fd >/dev/null && echo proc-ok; sleep 30'], (c) => {
      // as runtime-tools' linux_ns_itype has it; runc refuses masked paths and a
      // new network namespace (sysfs) in the host's mount namespace
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'mount' && n.type !== 'network');
      c.linux.maskedPaths = [];
      c.linux.readonlyPaths = [];
    });
    try {
      rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
      const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
      const ours = hostMounts.filter((l) => l.includes(`${b.dir}/rootfs`));
      expect(ours.length).toBeGreaterThan(0);
      // only below the rootfs, and private: nothing propagates to the host's peers
      for (const line of ours) expect(line.split(' ')[4]!.startsWith(`${b.dir}/rootfs`)).toBe(true);
      for (const line of ours) expect(line).not.toMatch(/ shared:/);
      rtOk(['delete', '--force', b.id]);
      expect(leftovers(b.id, b.dir)).toEqual([]);
    } finally {
      rt(['delete', '--force', b.id]);
      b.remove();
    }
  });
});
