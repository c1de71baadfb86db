import { join } from 'node:path';
import { EngineError, formatValidationError, validateRuntimeConfig } from '@tsrun/oci-spec';
import type { OciProcess, RuntimeConfig } from '../plan/config-types.js';
import { HOOK_KINDS, type Plan, type PlanHooks } from '../plan/plan-types.js';
import { realHost, type PlannerHost } from '../plan/host.js';
import { NAMESPACE_FILES } from '../plan/namespaces.js';
import { translateProcess } from '../plan/process.js';
import { rejectUnsupported } from '../plan/unsupported.js';
import { liveStatus, readPlan, readShimState } from '../state/container-state.js';
import { readJsonFile } from '../util/read-json.js';
import { buildExecProcess } from './exec-process.js';
import type { ExecRequest } from './exec-request.js';

/** Validates a lone OCI process object against the runtime-spec schema (as part of a minimal config). */
function validateProcess(process: unknown, source: string): asserts process is OciProcess {
  const errors = validateRuntimeConfig({ ociVersion: '1.0.0', process });
  const first = errors[0];
  if (first) {
    const path = first.path.startsWith('/process') ? first.path.slice('/process'.length) : first.path;
    throw new EngineError('invalid_argument', formatValidationError(source, { path, message: first.message }));
  }
  rejectUnsupported({ ociVersion: '1.0.0', process } as RuntimeConfig);
}

function emptyHooks(): PlanHooks {
  return Object.fromEntries(HOOK_KINDS.map((k) => [k, []])) as unknown as PlanHooks;
}

/**
 * The plan for `exec` in a running container: the same format as a container plan,
 * joining every namespace of the container's init through /proc/<pid>/ns, joining its
 * cgroups without writes, creating nothing, with the container's seccomp profile.
 */
export function planExec(stateDir: string, request: ExecRequest, host: PlannerHost = realHost): Plan {
  const container = readPlan(stateDir);
  const state = readShimState(stateDir);
  const status = liveStatus(state, container, host);
  if (status !== 'running' && status !== 'created' && status !== 'paused') {
    throw new EngineError('failed_precondition', `container ${container.id} is ${status}; exec needs a running container`);
  }
  let process: OciProcess;
  if (request.processFile) {
    const doc = readJsonFile(request.processFile);
    validateProcess(doc, request.processFile);
    process = doc;
  } else {
    const config = readJsonFile(join(stateDir, 'config.json'), `${stateDir}/config.json`) as RuntimeConfig;
    if (!config.process) throw new EngineError('failed_precondition', `${stateDir}/config.json has no process`);
    process = buildExecProcess(config.process, request.overrides);
  }
  const planned = translateProcess(process);
  if (!request.processFile || !process.rlimits) planned.rlimits = container.process.rlimits;
  return {
    ...container,
    namespaces: container.namespaces.map((ns) => ({ type: ns.type, path: `/proc/${state.pid}/ns/${NAMESPACE_FILES[ns.type]}` })),
    uidMappings: [],
    gidMappings: [],
    timeOffsets: null,
    hostname: null,
    domainname: null,
    mounts: [],
    devices: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctl: [],
    process: planned,
    cgroup: container.cgroup ? { ...container.cgroup, writes: [], devices: null } : null,
    hooks: emptyHooks(),
  };
}
