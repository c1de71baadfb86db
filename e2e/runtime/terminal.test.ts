import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBundle } from '../lib/bundle.ts';
import { leftovers } from '../lib/leftovers.ts';
import { REPO, RUNTIME_BIN, rtOk, STATE_ROOT } from '../lib/runtime.ts';

describe('terminal', () => {
  it('gives a foreground run a pty as its controlling terminal', () => {
    const b = makeBundle(['sh', '-c', 'tty; stty size; test -t 0 && echo interactive'], (c) => {
      c.process.terminal = true;
      c.process.consoleSize = { height: 40, width: 100 };
    });
    try {
      // `script` gives the runtime a terminal of its own, as a person's shell would.
      const r = spawnSync('script', ['-qec', `${RUNTIME_BIN} --root ${STATE_ROOT} run --bundle ${b.dir} ${b.id}`, '/dev/null'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\/dev\/pts\/0\r?\n/);
      expect(r.stdout).toMatch(/interactive/);
      expect(leftovers(b.id, b.dir)).toEqual([]);
    } finally {
      b.remove();
    }
  });
});

describe('console socket', () => {
  it('sends the pty master over --console-socket, as runc does', async () => {
    const b = makeBundle(['sh', '-c', 'tty; echo through-the-console'], (c) => {
      c.process.terminal = true;
    });
    const sock = join(b.dir, 'console.sock');
    const recv = spawn(join(REPO, 'runtime-shim/build/recvtty'), [sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    recv.stdout.on('data', (d) => (out += d));
    try {
      await new Promise<void>((resolve) => recv.stdout.once('data', () => resolve()));
      rtOk(['create', '--bundle', b.dir, '--console-socket', sock, b.id]);
      rtOk(['start', b.id]);
      await new Promise((r) => recv.on('exit', r));
      expect(out).toMatch(/\/dev\/pts\/0\r\nthrough-the-console\r\n/);
      rtOk(['delete', '--force', b.id]);
      expect(leftovers(b.id, b.dir)).toEqual([]);
    } finally {
      recv.kill();
      b.remove();
    }
  });
});
