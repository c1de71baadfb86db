/**
 * Reading a container's state directory (<root>/<id>/): state.json written by the
 * shim, plan.json and the config.json copy written by the planner.
 */
import { basename, join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Plan } from '../plan/plan-types.js';
import type { PlannerHost } from '../plan/host.js';
import { readJsonFile } from '../util/read-json.js';

export interface ShimState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid: number;
  bundle: string;
  rootfs?: string;
  created?: string;
  owner?: string;
  annotations?: Record<string, string>;
  tsrun?: { monitorPid?: number; initStartTime?: number; exitCode?: number | null; exitSignal?: number | null; finishedAt?: string | null };
}

export type LiveStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export const CONTAINER_ID = /^[\w+\-.]+$/;

export function stateDirOf(root: string, id: string): string {
  if (!CONTAINER_ID.test(id)) throw new EngineError('invalid_argument', `invalid container id ${JSON.stringify(id)}`);
  return join(root, id);
}

function readStateFile(stateDir: string, file: string): unknown {
  try {
    return readJsonFile(join(stateDir, file), `${stateDir}/${file}`);
  } catch (err) {
    if ((err as EngineError).code === 'not_found') {
      throw new EngineError('not_found', `container ${basename(stateDir)} does not exist`, { cause: err });
    }
    throw err;
  }
}

export const readShimState = (stateDir: string): ShimState => readStateFile(stateDir, 'state.json') as ShimState;
export const readPlan = (stateDir: string): Plan => readStateFile(stateDir, 'plan.json') as Plan;

/** Field 22 of /proc/<pid>/stat (after the parenthesised comm, which may contain spaces). */
export function processStartTime(pid: number, host: PlannerHost): number | null {
  const stat = host.readFile(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = Number(fields[19]);
  return Number.isFinite(v) ? v : null;
}

/** The status a reader reports: stopped when the init process is gone or recycled, paused when frozen. */
export function liveStatus(state: ShimState, plan: Pick<Plan, 'cgroup'> | null, host: PlannerHost): LiveStatus {
  if (state.status === 'stopped' || state.status === 'creating') return state.status;
  const start = processStartTime(state.pid, host);
  if (start === null) return 'stopped';
  const expected = state.tsrun?.initStartTime;
  if (expected !== undefined && expected !== start) return 'stopped';
  const freezer = plan?.cgroup?.freezer;
  if (freezer && plan?.cgroup) {
    const file = plan.cgroup.version === 2 ? 'cgroup.freeze' : 'freezer.state';
    const v = host.readFile(join(freezer, file))?.trim();
    if (v === '1' || v === 'FROZEN') return 'paused';
  }
  return state.status;
}
