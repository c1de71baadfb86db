import { posix } from 'node:path';
import type { OciProcess } from './config-types.js';
import type { PlanProcess } from './plan-types.js';
import { invalidField } from './invalid.js';
import { capabilityMasks } from './capabilities.js';
import { translateRlimits } from './rlimits.js';

const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

/** The process a plan starts; `base` is the JSON pointer of the OCI process object (for errors). */
export function translateProcess(p: OciProcess, base = '/process'): PlanProcess {
  if (!p.args || p.args.length === 0) throw invalidField(`${base}/args`, 'must NOT have fewer than 1 items');
  if (!posix.isAbsolute(p.cwd)) throw invalidField(`${base}/cwd`, `${JSON.stringify(p.cwd)} is not an absolute path`);
  (p.env ?? []).forEach((e, i) => {
    if (!e.includes('=') || e.startsWith('=')) throw invalidField(`${base}/env/${i}`, `${JSON.stringify(e)} is not KEY=value`);
  });
  const io = p.ioPriority;
  if (io && io.priority !== undefined && (io.priority < 0 || io.priority > 7)) {
    throw invalidField(`${base}/ioPriority/priority`, 'must be between 0 and 7');
  }
  return {
    terminal: p.terminal ?? false,
    consoleSize: p.consoleSize ? { height: p.consoleSize.height, width: p.consoleSize.width } : null,
    args: [...p.args],
    env: [...(p.env ?? [])],
    cwd: p.cwd,
    uid: p.user?.uid ?? 0,
    gid: p.user?.gid ?? 0,
    umask: p.user?.umask ?? null,
    additionalGids: [...(p.user?.additionalGids ?? [])],
    capabilities: capabilityMasks(p.capabilities, `${base}/capabilities`),
    noNewPrivileges: p.noNewPrivileges ?? false,
    rlimits: translateRlimits(p.rlimits, `${base}/rlimits`),
    oomScoreAdj: p.oomScoreAdj ?? null,
    ioPriority: io ? { class: IOPRIO_CLASSES[io.class]!, priority: io.priority ?? 0 } : null,
  };
}
