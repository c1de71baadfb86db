import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planExec } from './plan-exec.js';
import { mergeEnv } from './exec-process.js';
import type { ExecOverrides } from './exec-request.js';
import { stateDirFor } from '../testdata/state-dir.js';

const overrides = (o: Partial<ExecOverrides> = {}): ExecOverrides => ({
  args: ['ls', '-l'], env: [], cwd: null, user: null, additionalGids: [], caps: [], tty: false, noNewPrivs: false,
  apparmor: null, processLabel: null, ...o,
});

describe('planExec', () => {
  const { stateDir } = stateDirFor((c) => {
    c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['reboot'], action: 'SCMP_ACT_ERRNO' }] };
    c.process.noNewPrivileges = false;
  });
  const container = JSON.parse(readFileSync(join(stateDir, 'plan.json'), 'utf8'));

  it('joins every namespace of the container init and its cgroups without writes', () => {
    const p = planExec(stateDir, { processFile: null, overrides: overrides() });
    expect(p.namespaces).toEqual(
      [['pid', 'pid'], ['network', 'net'], ['ipc', 'ipc'], ['uts', 'uts'], ['mount', 'mnt']].map(([type, f]) => ({ type, path: `/proc/${process.pid}/ns/${f}` })),
    );
    expect(p.cgroup).toEqual({ ...container.cgroup, writes: [], devices: null });
    expect(p.mounts).toEqual([]);
    expect(p.devices).toEqual([]);
    expect(p.maskedPaths).toEqual([]);
    expect(p.readonlyPaths).toEqual([]);
    expect(p.sysctl).toEqual([]);
    expect(p.hostname).toBeNull();
    expect(p.seccomp).toEqual(container.seccomp);
    expect(p.process.rlimits).toEqual(container.process.rlimits);
    expect(Object.values(p.hooks).flat()).toEqual([]);
  });

  it('builds the process from the saved config as runc exec does', () => {
    const p = planExec(stateDir, {
      processFile: null,
      overrides: overrides({ env: ['TERM=dumb', 'A=1'], cwd: '/tmp', user: { uid: 1000, gid: 100 }, additionalGids: [10], caps: ['CAP_SYS_ADMIN'], tty: true, noNewPrivs: true }),
    }).process;
    expect(p.args).toEqual(['ls', '-l']);
    expect(p.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=dumb', 'A=1']);
    expect(p.cwd).toBe('/tmp');
    expect([p.uid, p.gid, p.additionalGids]).toEqual([1000, 100, [10]]);
    expect(p.terminal).toBe(true);
    expect(p.noNewPrivileges).toBe(true);
    const base = container.process.capabilities;
    const admin = 2 ** 21;
    expect(p.capabilities).toEqual({
      bounding: base.bounding + admin, effective: base.effective + admin, permitted: base.permitted + admin,
      // --cap reaches the ambient set as in runc, but ambient needs inheritable too
      ambient: base.ambient, inheritable: base.inheritable,
    });
  });

  it('keeps the container\'s no_new_privs unless the flag turns it on', () => {
    expect(planExec(stateDir, { processFile: null, overrides: overrides() }).process.noNewPrivileges).toBe(false);
  });

  it('takes a full process file, validated', () => {
    const file = join(stateDir, 'process.json');
    writeFileSync(file, JSON.stringify({ args: ['id'], cwd: '/', user: { uid: 5, gid: 5 }, env: ['X=1'] }));
    const p = planExec(stateDir, { processFile: file, overrides: overrides() }).process;
    expect([p.args, p.uid, p.env, p.capabilities]).toEqual([['id'], 5, ['X=1'], null]);
    writeFileSync(file, JSON.stringify({ args: 'id', cwd: '/' }));
    expect(() => planExec(stateDir, { processFile: file, overrides: overrides() })).toThrow(`${file}: /args: must be array`);
  });

  it('rejects what tsrun cannot do and stopped containers', () => {
    expect(() => planExec(stateDir, { processFile: null, overrides: overrides({ apparmor: 'x' }) })).toThrow('exec: /overrides/apparmor: AppArmor is not available on this host');
    expect(() => planExec(stateDir, { processFile: null, overrides: overrides({ caps: ['CAP_NOPE'] }) })).toThrow('unknown capability "CAP_NOPE"');
    const stopped = stateDirFor(() => {}, 999_999_999);
    expect(() => planExec(stopped.stateDir, { processFile: null, overrides: overrides() })).toThrow('container c1 is stopped; exec needs a running container');
  });

  it('merges env by key', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A=0'])).toEqual(['A=0', 'B=3', 'C=4']);
  });
});
