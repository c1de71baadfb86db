import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTsrun, REPO, RUNTIME_BIN } from '../lib/runtime.ts';

// The front end against Debian's runc on the same bundle: the same output
// (modulo pids, times and versions) and the same exit codes for every command.
describe.runIf(isTsrun)('runc parity', () => {
  it('answers every command as runc does', () => {
    const r = spawnSync('sh', [join(REPO, 'runtime-shim/tests/e2e-frontend.sh'), RUNTIME_BIN], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TSRUN_NODE_MAIN: join(REPO, 'runtime-shim/build/tsrun-node.cjs') },
    });
    expect(r.stdout + r.stderr).toContain('e2e-frontend: OK');
    expect(r.status).toBe(0);
  });
});
