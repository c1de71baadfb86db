import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { isTsrun, rt, rtOk, state } from '../lib/runtime.ts';

let b: Bundle;
beforeEach(() => {
  b = makeBundle(['sleep', '60']);
  rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
});
afterEach(() => {
  rt(['delete', '--force', b.id]);
  b.remove();
});

describe('ps, events, update', () => {
  it('lists the container processes', () => {
    expect(JSON.parse(rtOk(['ps', '--format', 'json', b.id]))).toEqual([state(b.id).pid]);
    expect(rtOk(['ps', b.id])).toMatch(/^UID\s+PID\s+PPID.*\n.*sleep 60\n$/);
  });

  it('reports stats', () => {
    const ev = JSON.parse(rtOk(['events', '--stats', b.id]));
    expect(ev.type).toBe('stats');
    expect(ev.id).toBe(b.id);
    expect(ev.data.memory.usage.usage).toBeGreaterThan(0);
    expect(ev.data.pids.current).toBe(1);
  });

  it('updates limits of the running container', () => {
    rtOk(['update', '--memory', '32M', '--pids-limit', '20', b.id]);
    expect(rtOk(['exec', b.id, 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max'])).toBe(`${32 * 1024 * 1024}\n20\n`);
    rtOk(['update', '--resources', '-', b.id], { input: JSON.stringify({ pids: { limit: 30 } }) });
    expect(rtOk(['exec', b.id, 'cat', '/sys/fs/cgroup/pids/pids.max'])).toBe('30\n');
  });

  it('rejects bad limits, naming what is wrong, and changes nothing', () => {
    const bad = rt(['update', '--resources', '-', b.id], { input: JSON.stringify({ memory: { limit: 'lots' } }) });
    expect(bad.code).not.toBe(0);
    const flag = rt(['update', '--memory', 'lots', b.id]);
    expect(flag.code).not.toBe(0);
    if (isTsrun) {
      expect(bad.stderr).toMatch(/\/memory\/limit/);
      expect(flag.stderr).toMatch(/--memory/);
    }
    expect(rtOk(['exec', b.id, 'cat', '/sys/fs/cgroup/pids/pids.max'])).toBe('max\n');
  });
});
