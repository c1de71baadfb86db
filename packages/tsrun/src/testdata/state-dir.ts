/** A container state directory as the planner and the shim leave it, for tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planContainer } from '../plan/plan-container.js';
import { realHost } from '../plan/host.js';
import { processStartTime } from '../state/container-state.js';
import { hybridHost, runcSpec, tempBundle } from './fixtures.js';

export function stateDirFor(edit: (c: ReturnType<typeof runcSpec>) => void = () => {}, pid = process.pid): { root: string; stateDir: string; bundle: string } {
  const bundle = tempBundle();
  const root = mkdtempSync(join(tmpdir(), 'tsrun-root-'));
  const stateDir = join(root, 'c1');
  const config = runcSpec();
  edit(config);
  const plan = planContainer(config, { id: 'c1', bundle, stateDir, host: hybridHost() });
  mkdirSync(stateDir);
  writeFileSync(join(stateDir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(stateDir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({
    ociVersion: '1.3.0', id: 'c1', status: 'running', pid, bundle, rootfs: plan.rootfs,
    created: new Date().toISOString(), owner: '', annotations: {},
    tsrun: { monitorPid: pid, initStartTime: processStartTime(pid, realHost), exitCode: null, exitSignal: null, finishedAt: null },
  }));
  return { root, stateDir, bundle };
}
