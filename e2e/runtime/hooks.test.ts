import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { leftovers } from '../lib/leftovers.ts';
import { isTsrun, rt, rtOk } from '../lib/runtime.ts';

const bundles: Bundle[] = [];
afterEach(() => {
  for (const b of bundles.splice(0)) {
    rt(['delete', '--force', b.id]);
    b.remove();
  }
});

// A hook that saves the state it got on stdin (and its first argument) into the bundle.
function saveState(dir: string, name: string) {
  return { path: '/bin/sh', args: ['sh', '-c', `cat > ${join(dir, name)}.json; echo "$1" > ${join(dir, name)}.arg`, 'hook', name] };
}

describe('hooks', () => {
  it('runs every kind of hook at its point with the state on stdin', () => {
    const b = makeBundle(['true'], (c, dir) => {
      c.hooks = {
        prestart: [saveState(dir, 'prestart')],
        createRuntime: [saveState(dir, 'createRuntime')],
        createContainer: [saveState(dir, 'createContainer')],
        startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'echo started > /dev/shm/startContainer'] }],
        poststart: [saveState(dir, 'poststart')],
        poststop: [saveState(dir, 'poststop')],
      };
    });
    bundles.push(b);
    rtOk(['run', '--bundle', b.dir, b.id]);
    const read = (name: string) => JSON.parse(readFileSync(join(b.dir, `${name}.json`), 'utf8'));
    for (const name of ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']) {
      const s = read(name);
      expect(s.id).toBe(b.id);
      expect(s.bundle).toBe(b.dir);
      expect(readFileSync(join(b.dir, `${name}.arg`), 'utf8')).toBe(`${name}\n`);
    }
    expect(read('createRuntime').status).toBe('creating');
    expect(['created', 'running']).toContain(read('poststart').status);
    expect(read('poststop').status).toBe('stopped');
    expect(read('createRuntime').pid).toBeGreaterThan(0);
  });

  it('fails create when a createRuntime hook fails, naming the hook, and leaves nothing', () => {
    const b = makeBundle(['true'], (c) => {
      c.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo broken >&2; exit 7'] }] };
    });
    bundles.push(b);
    const r = rt(['create', '--bundle', b.dir, b.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hook/i);
    expect(leftovers(b.id, b.dir)).toEqual([]);
  });
});

// runc 1.1 fails on a poststart hook; the runtime-spec makes those failures warnings.
describe.runIf(isTsrun)('failing poststart and poststop hooks', () => {
  it('warn and still run the hooks after them', () => {
    const b = makeBundle(['sleep', '30'], (c, dir) => {
      c.hooks = {
        poststart: [{ path: '/bin/false' }, saveState(dir, 'poststart')],
        poststop: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 9'] }, saveState(dir, 'poststop')],
      };
    });
    bundles.push(b);
    rtOk(['create', '--bundle', b.dir, b.id]);
    const start = rt(['start', b.id]);
    expect(start.code).toBe(0);
    expect(start.stderr).toMatch(/poststart hook 0 \(`\/bin\/false`\): exit status 1/);
    expect(existsSync(join(b.dir, 'poststart.json'))).toBe(true);
    const del = rt(['delete', '--force', b.id]);
    expect(del.code).toBe(0);
    expect(del.stderr).toMatch(/poststop hook 0 \(`\/bin\/sh`\): exit status 9/);
    expect(existsSync(join(b.dir, 'poststop.json'))).toBe(true);
  });
});
