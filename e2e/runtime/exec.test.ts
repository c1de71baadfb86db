import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { waitForStatus } from '../lib/container.ts';
import { leftovers } from '../lib/leftovers.ts';
import { rt, rtOk } from '../lib/runtime.ts';

let b: Bundle;
beforeEach(() => {
  b = makeBundle(['sleep', '60'], (c) => {
    c.hostname = 'exec-host';
  });
  rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
});
afterEach(() => {
  rt(['delete', '--force', b.id]);
  expect(leftovers(b.id, b.dir)).toEqual([]);
  b.remove();
});

describe('exec', () => {
  it('runs a process in the container namespaces and returns its exit code', () => {
    const r = rt(['exec', b.id, 'sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('exec-host\nsleep 60 ');
  });

  it('takes --env, --cwd and --user', () => {
    const out = rtOk(['exec', '--env', 'A=1', '--cwd', '/tmp', '--user', '1000:1000', b.id, 'sh', '-c', 'echo $A; pwd; id -u; id -g']);
    expect(out).toBe('1\n/tmp\n1000\n1000\n');
  });

  it('takes a full process from --process', () => {
    const file = join(b.dir, 'process.json');
    const proc = { ...b.config.process, args: ['sh', '-c', 'echo from-process-json $X'], env: ['X=y', 'PATH=/bin'] };
    writeFileSync(file, JSON.stringify(proc));
    expect(rtOk(['exec', '--process', file, b.id])).toBe('from-process-json y\n');
  });

  it('runs detached with a pid file', async () => {
    const pidFile = join(b.dir, 'exec.pid');
    rtOk(['exec', '--detach', '--pid-file', pidFile, b.id, 'sleep', '5']);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\x005\x00');
  });

  it('refuses to exec into a stopped container', async () => {
    rtOk(['kill', b.id, 'KILL']);
    await waitForStatus(b.id, 'stopped');
    const r = rt(['exec', b.id, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not running|stopped/);
  });
});
