import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec/errors';
import { ShimMounter } from './shim-mounter.js';
import { ShimRuntime } from './shim-runtime.js';
import { ShimServer } from './shim-server.js';

// A stand-in for `tsrun __server` that speaks its protocol: the command after
// an optional `--root R` says what to do.
const FAKE = `#!/usr/bin/env node
let buf = '';
const answer = (id, code, stdout, stderr) => process.stdout.write(JSON.stringify({ id, code, stdout, stderr }) + '\\n');
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const { id, argv } = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    const [cmd, ...rest] = argv[0] === '--root' ? argv.slice(2) : argv;
    if (cmd === 'echo') answer(id, 0, rest.join(' ') + '\\n', '');
    else if (cmd === 'delay') setTimeout(() => answer(id, 0, rest[1], ''), Number(rest[0]));
    else if (argv.includes('die')) process.exit(3);
    else if (cmd === 'env') answer(id, 0, process.env[rest[0]] ?? '', '');
    else answer(id, 1, '', 'time="x" level=debug msg=noise\\ntsrun: ' + [cmd, ...rest].join(' ') + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

const dir = mkdtempSync(join(tmpdir(), 'shim-server-test-'));
const fake = join(dir, 'fake-tsrun');
writeFileSync(fake, FAKE);
chmodSync(fake, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: ShimServer[] = [];
function start(env: NodeJS.ProcessEnv = process.env): ShimServer {
  const s = ShimServer.start(fake, env);
  servers.push(s);
  return s;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('ShimServer', () => {
  it('runs a command and resolves with its code, stdout and stderr', async () => {
    const s = start();
    expect(await s.run(['echo', 'a', 'b'])).toEqual({ code: 0, stdout: 'a b\n', stderr: '' });
    const failed = await s.run(['nope']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/\ntsrun: nope\n$/);
  });

  it('matches responses to calls by id with 20 calls in flight, answered in reverse order', async () => {
    const s = start();
    const calls = Array.from({ length: 20 }, (_, i) => s.run(['delay', String((20 - i) * 5), `r${i}`]));
    const results = await Promise.all(calls);
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });

  it('passes its environment to the server', async () => {
    const s = start({ ...process.env, TSRUN_PLANNER_SOCKET: '/run/x.sock' });
    expect((await s.run(['env', 'TSRUN_PLANNER_SOCKET'])).stdout).toBe('/run/x.sock');
  });

  it('rejects the calls in flight when the server dies, and starts a new one on the next call', async () => {
    const s = start();
    await s.run(['echo', 'up']);
    const first = s.pid;
    const pending = s.run(['delay', '5000', 'never']);
    const dying = s.run(['die']);
    await expect(pending).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/exited with status 3/) });
    await expect(dying).rejects.toBeInstanceOf(EngineError);
    expect(await s.run(['echo', 'again'])).toMatchObject({ code: 0, stdout: 'again\n' });
    expect(s.pid).not.toBe(first);
  });

  it('rejects calls in flight at close, and every call after it', async () => {
    const s = start();
    const pending = s.run(['delay', '5000', 'never']);
    s.close();
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    await expect(s.run(['echo', 'x'])).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/closed/) });
  });

  it('a binary that cannot be started rejects the call', async () => {
    const s = ShimServer.start(join(dir, 'missing'));
    servers.push(s);
    await expect(s.run(['echo', 'x'])).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/ENOENT/) });
  });
});

describe('ShimRuntime over a ShimServer', () => {
  it('maps a failed command as it maps a spawned one', async () => {
    const rt = new ShimRuntime({ root: '/run/none', binary: fake, server: start() });
    await expect(rt.kill('c1')).rejects.toMatchObject({ code: 'internal', message: 'kill c1: kill c1 SIGTERM' });
    await expect(rt.delete('c1 does not exist')).rejects.toMatchObject({ code: 'not_found', message: 'delete c1 does not exist: delete c1 does not exist' });
    await expect(rt.pause('is running')).rejects.toMatchObject({ code: 'failed_precondition' });
  });

  it('turns a dead server into unavailable', async () => {
    const rt = new ShimRuntime({ root: '/run/none', binary: fake, server: start() });
    await expect(rt.resume('die')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^resume die: the shim server .* exited with status 3$/) });
  });
});

describe('ShimMounter', () => {
  it('throws the helper message, "not mounted" as not_found', async () => {
    const m = new ShimMounter(start());
    await expect(m.unmount('/x: not mounted')).rejects.toMatchObject({ code: 'not_found', message: '__umount /x: not mounted' });
    await expect(m.mountOverlay('/s', 'lowerdir=a', '/t')).rejects.toMatchObject({ code: 'internal', message: '__mount-overlay --cwd /s --options lowerdir=a /t' });
  });
});
