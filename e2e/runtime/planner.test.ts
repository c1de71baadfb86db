import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBundle } from '../lib/bundle.ts';
import { leftovers } from '../lib/leftovers.ts';
import { privatePlanner } from '../lib/planner.ts';
import { isTsrun, rt, RUNTIME_BIN, state, STATE_ROOT } from '../lib/runtime.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const memoryCgroup = (pid: number): string => /^\d+:memory:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1]!;

describe('cgroupsPath', () => {
  it('puts a relative path under the cgroup of the caller, also when a resident planner plans it', async () => {
    // runc has no planner: it is the caller itself
    const planner = isTsrun ? privatePlanner() : null;
    const callerCgroup = `/tsrun-e2e/caller-${process.pid}`;
    const callerDir = `/sys/fs/cgroup/memory${callerCgroup}`;
    const b = makeBundle(['sleep', '60'], (c) => {
      c.linux.cgroupsPath = c.linux.cgroupsPath.split('/').pop();
    });
    mkdirSync(callerDir, { recursive: true });
    try {
      if (planner) expect(memoryCgroup(await planner.startServer())).not.toBe(callerCgroup);
      // the caller moves itself into its own memory cgroup, then becomes `create`;
      // stderr through a file: the container keeps the stdio it was given
      const errPath = join(b.dir, 'create.stderr');
      const r = spawnSync('sh', ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', `${callerDir}/cgroup.procs`,
        RUNTIME_BIN, '--root', STATE_ROOT, 'create', '--bundle', b.dir, b.id], { env: planner?.env ?? process.env, stdio: ['ignore', 'ignore', openSync(errPath, 'w')], timeout: 30_000 });
      expect([r.status, readFileSync(errPath, 'utf8')]).toEqual([0, '']);
      expect(memoryCgroup(state(b.id).pid)).toBe(`${callerCgroup}/${b.id}`);
    } finally {
      rt(['delete', '--force', b.id]);
      planner?.remove();
      expect(leftovers(b.id, b.dir)).toEqual([]);
      b.remove();
      // the container's monitor was started in the caller's cgroup and leaves it as it exits
      for (let i = 0; ; i++) {
        try {
          rmdirSync(callerDir);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || i === 100) throw err;
          await sleep(50);
        }
      }
    }
  });
});

describe.runIf(isTsrun)('the resident planner', () => {
  it('is started once by concurrent first calls', async () => {
    const planner = privatePlanner();
    const bundles = Array.from({ length: 8 }, () => makeBundle(['true']));
    try {
      const results = await Promise.all(bundles.map((b) => planner.run(['create', '--bundle', b.dir, b.id])));
      expect(results).toEqual(bundles.map(() => ({ code: 0, stderr: '' })));
      // every start was tried before its create answered; give the losers time to give up
      for (let i = 0; i < 100 && planner.servers().length === 0; i++) await sleep(50);
      await sleep(1000);
      expect(planner.servers()).toHaveLength(1);
    } finally {
      for (const b of bundles) {
        rt(['delete', '--force', b.id]);
        expect(leftovers(b.id, b.dir)).toEqual([]);
        b.remove();
      }
      planner.remove();
    }
  });
});
