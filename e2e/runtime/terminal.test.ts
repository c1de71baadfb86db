import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBundle } from '../lib/bundle.ts';
import { leftovers } from '../lib/leftovers.ts';
import { REPO, RUNTIME_BIN, rt, rtOk, STATE_ROOT } from '../lib/runtime.ts';

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

/** recvtty listening on sock, once it is ready; `output` settles with what the pty carried when it closes. */
async function receiveTty(sock: string): Promise<{ output: Promise<string>; kill(): void }> {
  const recv = spawn(join(REPO, 'runtime-shim/build/recvtty'), [sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  recv.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve) => recv.stdout.once('data', () => resolve()));
  // 'close', not 'exit': the last output can still be in the pipe when recvtty has exited
  return { output: new Promise((resolve) => recv.on('close', () => resolve(out.replace(/^ready\n/, '')))), kill: () => recv.kill() };
}

describe('console socket', () => {
  it('sends the pty master over --console-socket, as runc does', async () => {
    const b = makeBundle(['sh', '-c', 'tty; echo through-the-console'], (c) => {
      c.process.terminal = true;
    });
    const sock = join(b.dir, 'console.sock');
    const recv = await receiveTty(sock);
    try {
      rtOk(['create', '--bundle', b.dir, '--console-socket', sock, b.id]);
      rtOk(['start', b.id]);
      expect(await recv.output).toMatch(/\/dev\/pts\/0\r\nthrough-the-console\r\n/);
      rtOk(['delete', '--force', b.id]);
      expect(leftovers(b.id, b.dir)).toEqual([]);
    } finally {
      rt(['delete', '--force', b.id]);
      recv.kill();
      b.remove();
    }
  });

  it('gives `exec -t` a pty of its own, leaving the container\'s /dev/console alone', async () => {
    const b = makeBundle(['sleep', '60'], (c) => {
      c.process.terminal = true;
    });
    const consoleMounts = 'grep -c " /dev/console " /proc/1/mountinfo';
    const initTty = await receiveTty(join(b.dir, 'init.sock'));
    const execTty = await receiveTty(join(b.dir, 'exec.sock'));
    try {
      rtOk(['create', '--bundle', b.dir, '--console-socket', join(b.dir, 'init.sock'), b.id]);
      rtOk(['start', b.id]);
      rtOk(['exec', '-t', '-d', '--console-socket', join(b.dir, 'exec.sock'), b.id, 'sh', '-c', `tty; ${consoleMounts}; echo exec-done`]);
      expect(await execTty.output).toMatch(/^\/dev\/pts\/1\r\n1\r\nexec-done\r\n$/);
      // a mount made by the exec'd process would outlive it in the container's mount namespace
      expect(rtOk(['exec', b.id, 'sh', '-c', consoleMounts])).toBe('1\n');
      rtOk(['delete', '--force', b.id]);
      expect(leftovers(b.id, b.dir)).toEqual([]);
    } finally {
      rt(['delete', '--force', b.id]);
      initTty.kill();
      execTty.kill();
      b.remove();
    }
  });
});
