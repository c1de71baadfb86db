import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, wrapError } from '@tsrun/oci-spec/errors';
import type { OciResources } from '../plan/config-types.js';
import type { Plan, PlanCgroupWrite } from '../plan/plan-types.js';
import { realHost, type PlannerHost } from '../plan/host.js';
import { cgroupTarget, detectHostCgroups, type HostCgroups } from '../cgroups/cgroup-plan.js';
import { v1Writes } from '../cgroups/resources-v1.js';
import { v2Writes } from '../cgroups/resources-v2.js';
import { liveStatus, readPlan, readShimState } from '../state/container-state.js';
import { writeJsonAtomic } from '../util/atomic-write.js';

export type CgroupFileWriter = (dir: string, file: string, value: string) => void;

export const fsCgroupWriter: CgroupFileWriter = (dir, file, value) => {
  try {
    writeFileSync(join(dir, file), value);
  } catch (err) {
    throw wrapError(err, `write ${value} to ${join(dir, file)}`);
  }
};

/** The writes for changed resources of an existing cgroup (device rules cannot be changed). */
export function updateWrites(resources: OciResources, plan: Plan, host: PlannerHost, cgroups: HostCgroups): PlanCgroupWrite[] {
  const cg = plan.cgroup;
  if (!cg) throw new EngineError('failed_precondition', `container ${plan.id} has no cgroup`);
  if (resources.devices && resources.devices.length > 0) {
    throw new EngineError('invalid_argument', 'update: device rules cannot be changed on a running container');
  }
  const target = cgroupTarget(cgroups.layout, cg.dirs, host);
  return cg.version === 2 ? v2Writes(resources, target).writes : v1Writes(resources, null, target).writes;
}

/** Writes replace an earlier write to the same file in the plan, or are appended. */
export function mergeWrites(existing: readonly PlanCgroupWrite[], updates: readonly PlanCgroupWrite[]): PlanCgroupWrite[] {
  const out = [...existing];
  for (const w of updates) {
    const i = out.findIndex((e) => e.dir === w.dir && e.file === w.file);
    if (i >= 0) out[i] = w;
    else out.push(w);
  }
  return out;
}

export interface UpdateOptions {
  host?: PlannerHost;
  cgroups?: HostCgroups;
  writer?: CgroupFileWriter;
}

/** `tsrun update`: applies the resources to the live cgroup, then records them in plan.json. */
export function updateContainer(stateDir: string, resources: OciResources, opts: UpdateOptions = {}): PlanCgroupWrite[] {
  const host = opts.host ?? realHost;
  const plan = readPlan(stateDir);
  const state = readShimState(stateDir);
  if (liveStatus(state, plan, host) === 'stopped') {
    throw new EngineError('failed_precondition', `container ${plan.id} is stopped`);
  }
  const writes = updateWrites(resources, plan, host, opts.cgroups ?? detectHostCgroups(host));
  const writer = opts.writer ?? fsCgroupWriter;
  for (const w of writes) writer(w.dir, w.file, w.value);
  plan.cgroup = { ...plan.cgroup!, writes: mergeWrites(plan.cgroup!.writes, writes) };
  writeJsonAtomic(join(stateDir, 'plan.json'), plan);
  return writes;
}
