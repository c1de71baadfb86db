import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { type Containerd, startContainerd } from '../lib/containerd.ts';
import { leftovers } from '../lib/leftovers.ts';
import { RUNTIME_BIN } from '../lib/runtime.ts';

// containerd's runc shim driving the runtime as it drives runc: the shim is a
// subreaper that reaps the init itself, so the runtime must hand the init over.
let ctd: Containerd;
let b: Bundle;
beforeAll(async () => {
  ctd = await startContainerd();
  b = makeBundle(['true']);
});
afterAll(async () => {
  await ctd?.stop();
  b?.remove();
});

function ctrOk(args: string[]): string {
  const r = ctd.ctr(args);
  if (r.code !== 0) throw new Error(`ctr ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('containerd', () => {
  it('runs a container in the foreground and gets its exit code', () => {
    const r = ctd.ctr(['run', '--rm', '--runc-binary', RUNTIME_BIN, '--rootfs', `${b.dir}/rootfs`, 'ctd-fg', '/bin/sh', '-c', 'echo hello from $$; exit 3']);
    expect(r.stdout).toBe('hello from 1\n');
    expect(r.code).toBe(3);
  });

  it('runs a detached task whose init is the shim\'s child, execs, pauses, kills and removes it', async () => {
    ctrOk(['run', '-d', '--runc-binary', RUNTIME_BIN, '--rootfs', `${b.dir}/rootfs`, 'ctd-bg', '/bin/sleep', '60']);
    const line = ctrOk(['task', 'ls']).split('\n').find((l) => l.startsWith('ctd-bg'));
    const pid = Number(line?.split(/\s+/)[1]);
    const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(readFileSync(`/proc/${ppid}/comm`, 'utf8').trim()).toBe('containerd-shim');
    expect(ctrOk(['task', 'exec', '--exec-id', 'e1', 'ctd-bg', '/bin/sh', '-c', 'echo exec $(id -u)'])).toBe('exec 0\n');
    ctrOk(['task', 'pause', 'ctd-bg']);
    expect(ctrOk(['task', 'ls'])).toMatch(/ctd-bg\s+\d+\s+PAUSED/);
    ctrOk(['task', 'resume', 'ctd-bg']);
    ctrOk(['task', 'kill', '-s', 'KILL', 'ctd-bg']);
    for (let i = 0; i < 100 && !/ctd-bg\s+\d+\s+STOPPED/.test(ctrOk(['task', 'ls'])); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(ctrOk(['task', 'ls'])).toMatch(/ctd-bg\s+\d+\s+STOPPED/);
    ctrOk(['task', 'rm', 'ctd-bg']);
    ctrOk(['container', 'rm', 'ctd-bg']);
    expect(leftovers('ctd-bg', b.dir).filter((l) => !l.startsWith('state:'))).toEqual([]);
  });
});
