import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bundle, makeBundle } from '../lib/bundle.ts';
import { leftovers } from '../lib/leftovers.ts';
import { rt, rtOk } from '../lib/runtime.ts';

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
