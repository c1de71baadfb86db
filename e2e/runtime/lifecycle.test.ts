import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { runContainer, waitForStatus } from '../lib/container.ts';
import { leftovers } from '../lib/leftovers.ts';
import { isTsrun, rt, rtOk, state, STATE_ROOT } from '../lib/runtime.ts';

const bundles: Bundle[] = [];
function bundle(args: string[], edit?: Parameters<typeof makeBundle>[1]): Bundle {
  const b = makeBundle(args, edit);
  bundles.push(b);
  return b;
}
afterEach(() => {
  for (const b of bundles.splice(0)) {
    rt(['delete', '--force', b.id]);
    b.remove();
  }
});

describe('lifecycle', () => {
  it('runs a container in the foreground and returns its exit code', () => {
    expect(runContainer(['true']).code).toBe(0);
    const r = runContainer(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(leftovers(r.bundle.id, r.bundle.dir)).toEqual([]);
  });

  it('goes through created, running, stopped and leaves nothing after delete', async () => {
    const b = bundle(['sleep', '30']);
    rtOk(['create', '--bundle', b.dir, b.id]);
    const created = state(b.id);
    expect(created.status).toBe('created');
    expect(created.pid).toBeGreaterThan(0);
    expect(created.id).toBe(b.id);
    expect(created.bundle).toBe(b.dir);
    const listed = JSON.parse(rtOk(['list', '--format', 'json']));
    expect(listed.map((c: { id: string; status: string }) => [c.id, c.status])).toContainEqual([b.id, 'created']);

    rtOk(['start', b.id]);
    expect(state(b.id).status).toBe('running');
    expect(rt(['start', b.id]).code).not.toBe(0);
    expect(rt(['delete', b.id]).code).not.toBe(0);

    rtOk(['kill', b.id, 'KILL']);
    await waitForStatus(b.id, 'stopped');
    rtOk(['delete', b.id]);
    expect(rt(['state', b.id]).code).not.toBe(0);
    expect(leftovers(b.id, b.dir)).toEqual([]);
  });

  it('delete --force removes a running container', () => {
    const b = bundle(['sleep', '30']);
    rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
    expect(state(b.id).status).toBe('running');
    rtOk(['delete', '--force', b.id]);
    expect(leftovers(b.id, b.dir)).toEqual([]);
  });

  it('pauses and resumes through the freezer', async () => {
    const b = bundle(['sleep', '30']);
    rtOk(['run', '--detach', '--bundle', b.dir, b.id]);
    rtOk(['pause', b.id]);
    expect(state(b.id).status).toBe('paused');
    rtOk(['resume', b.id]);
    expect(state(b.id).status).toBe('running');
  });

  it('writes the pid file and refuses a second container with the same id', () => {
    const b = bundle(['sleep', '30']);
    const pidFile = join(b.dir, 'pid');
    rtOk(['create', '--bundle', b.dir, '--pid-file', pidFile, b.id]);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(state(b.id).pid);
    const again = rt(['create', '--bundle', b.dir, b.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
  });

  it('fails create when the executable is missing, leaving nothing behind', () => {
    const b = bundle(['/no/such/binary']);
    const r = rt(['create', '--bundle', b.dir, b.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file|not found/i);
    expect(leftovers(b.id, b.dir)).toEqual([]);
  });

  it('rejects a bad config.json before creating anything', () => {
    const b = bundle(['true'], (c) => {
      c.process.args = 'true';
    });
    const r = rt(['create', '--bundle', b.dir, b.id]);
    expect(r.code).toBe(1);
    if (isTsrun) {
      expect(r.stderr).toContain('/process/args');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(STATE_ROOT, b.id))).toBe(false);
    expect(leftovers(b.id, b.dir)).toEqual([]);
  });

  it('runs with deprecated kernel memory limits, warning that they are ignored', () => {
    const r = runContainer(['true'], (c) => {
      c.linux.resources = { ...c.linux.resources, memory: { limit: 64 * 1024 * 1024, kernel: 16 * 1024 * 1024 } };
    });
    expect(r.code).toBe(0);
    if (isTsrun) expect(r.stderr).toContain('/linux/resources/memory/kernel: ignored');
  });

  it('reports an unknown container clearly', () => {
    const r = rt(['state', 'no-such-container']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist/);
    expect(rt(['delete', '--force', 'no-such-container']).code).toBe(0);
  });
});
