import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '@tsrun/oci-spec/errors';
import { realHost } from '../../plan/host.js';
import { liveStatus, readPlan, readShimState, stateDirOf } from '../../state/container-state.js';
import { fsCgroupReader, readFlatKeyed } from '../../cgroups/cgroup-files.js';
import { readStats } from '../../cgroups/stats-read.js';
import { statsToRuncJson, stringifyBig } from '../../cgroups/stats-json.js';
import type { Plan } from '../../plan/plan-types.js';
import type { Command } from '../context.js';
import { exactlyOneId, parseCommandArgs } from '../parse.js';
import { parseDuration } from '../units.js';

/** The OOM kill counter: v1 memory.oom_control "oom_kill", v2 memory.events "oom_kill". */
function oomKills(plan: Plan): bigint {
  const cg = plan.cgroup;
  if (!cg) return 0n;
  const file = cg.version === 2 ? 'memory.events' : 'memory.oom_control';
  for (const dir of cg.dirs) {
    const v = readFlatKeyed(fsCgroupReader, dir, file).get('oom_kill');
    if (v !== undefined) return v;
  }
  return 0n;
}

/**
 * `events [--stats] [--interval 5s] ID`: one stats event with --stats, otherwise a
 * stats event every interval and an oom event whenever the OOM-kill counter grows
 * (polled at the same interval), until the container stops.
 */
export const eventsCommand: Command = async ({ args, globals, io }) => {
  const { values, positionals } = parseCommandArgs(args, {
    stats: { type: 'boolean' },
    interval: { type: 'string', default: '5s' },
  });
  const id = exactlyOneId(positionals, 'events');
  const interval = parseDuration(values.interval, '--interval');
  if (interval <= 0) throw new EngineError('invalid_argument', 'duration interval must be greater than 0');
  const stateDir = stateDirOf(globals.root, id);
  const plan = readPlan(stateDir);
  const running = (): boolean => liveStatus(readShimState(stateDir), plan, realHost) !== 'stopped';
  if (!running()) throw new EngineError('failed_precondition', `container with id ${id} is not running`);
  if (!plan.cgroup) throw new EngineError('failed_precondition', `container ${id} has no cgroup`);
  const emit = (event: object): void => void io.stdout.write(`${stringifyBig(event)}\n`);
  const stats = (): object => ({ type: 'stats', id, data: statsToRuncJson(readStats(plan.cgroup!, fsCgroupReader)) });
  if (values.stats) {
    emit(stats());
    return 0;
  }
  let ooms = oomKills(plan);
  for (;;) {
    await sleep(interval);
    if (!running()) return 0;
    const now = oomKills(plan);
    if (now > ooms) emit({ type: 'oom', id });
    ooms = now;
    emit(stats());
  }
};
