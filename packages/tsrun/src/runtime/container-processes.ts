import { EngineError } from '@tsrun/oci-spec/errors';
import type { Plan } from '../plan/plan-types.js';
import { fsCgroupReader, readPids, type CgroupReader } from '../cgroups/cgroup-files.js';

/** The pids in the container's cgroup (the freezer hierarchy on v1: every task is in it). */
export function containerPids(plan: Plan, reader: CgroupReader = fsCgroupReader): number[] {
  const cg = plan.cgroup;
  if (!cg) throw new EngineError('failed_precondition', `container ${plan.id} has no cgroup`);
  const dir = cg.freezer ?? cg.dirs[0];
  if (!dir) throw new EngineError('failed_precondition', `container ${plan.id} has no cgroup`);
  return readPids(reader, dir);
}

/** Keeps ps(1)'s header and the lines whose PID column is one of the container's. */
export function filterPsOutput(output: string, pids: readonly number[]): string[] {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const pidIndex = header.trim().split(/\s+/).indexOf('PID');
  if (pidIndex < 0) throw new EngineError('internal', "couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const out = [header];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const pid = Number(line.trim().split(/\s+/)[pidIndex]);
    if (!Number.isInteger(pid)) throw new EngineError('internal', `unable to parse pid from ${JSON.stringify(line)}`);
    if (wanted.has(pid)) out.push(line);
  }
  return out;
}
