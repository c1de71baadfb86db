import { readFileSync } from 'node:fs';
import { text as readText } from 'node:stream/consumers';
import { validateRuntimeConfig } from '@tsrun/oci-spec';
import { EngineError, wrapError } from '@tsrun/oci-spec/errors';
import type { OciResources } from '../../plan/config-types.js';
import { stateDirOf } from '../../state/container-state.js';
import { updateContainer } from '../../runtime/update-container.js';
import { parseJson } from '../../util/read-json.js';
import type { CliIo, Command } from '../context.js';
import { exactlyOneId, parseCommandArgs } from '../parse.js';
import { parseBytes, parseInteger } from '../units.js';

const OPTIONS = {
  resources: { type: 'string', short: 'r' },
  'blkio-weight': { type: 'string' },
  'cpu-period': { type: 'string' },
  'cpu-quota': { type: 'string' },
  'cpu-share': { type: 'string' },
  'cpu-shares': { type: 'string' },
  'cpu-rt-period': { type: 'string' },
  'cpu-rt-runtime': { type: 'string' },
  'cpuset-cpus': { type: 'string' },
  'cpuset-mems': { type: 'string' },
  memory: { type: 'string' },
  'memory-reservation': { type: 'string' },
  'memory-swap': { type: 'string' },
  'pids-limit': { type: 'string' },
  'kernel-memory': { type: 'string' },
  'kernel-memory-tcp': { type: 'string' },
  'l3-cache-schema': { type: 'string' },
  'mem-bw-schema': { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof OPTIONS, string>>;

async function resourcesFromFile(path: string, io: CliIo): Promise<OciResources> {
  let text: string;
  try {
    text = path === '-' ? await readText(io.stdin) : readFileSync(path, 'utf8');
  } catch (err) {
    throw wrapError(err, `read ${path}`);
  }
  const source = path === '-' ? 'stdin' : path;
  const v = parseJson(text, source);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EngineError('invalid_argument', `${source}: resources must be a JSON object`);
  // The schema knows linux.resources only inside a whole config.
  const errors = validateRuntimeConfig({ ociVersion: '1.0.0', linux: { resources: v } });
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new EngineError('invalid_argument', `${source}: ${e.path.replace(/^\/linux\/resources/, '') || '/'}: ${e.message}`);
  }
  return v as OciResources;
}

/** The resources named by flags; flags left out are left unchanged. */
export function resourcesFromFlags(v: Values): OciResources {
  for (const flag of ['kernel-memory', 'kernel-memory-tcp', 'l3-cache-schema', 'mem-bw-schema'] as const) {
    if (v[flag] !== undefined) throw new EngineError('invalid_argument', `--${flag} is not supported by tsrun`);
  }
  const r: OciResources = {};
  const cpu: NonNullable<OciResources['cpu']> = {};
  const memory: NonNullable<OciResources['memory']> = {};
  const shares = v['cpu-share'] ?? v['cpu-shares'];
  if (shares !== undefined) cpu.shares = parseInteger(shares, '--cpu-share', 0);
  if (v['cpu-period'] !== undefined) cpu.period = parseInteger(v['cpu-period'], '--cpu-period', 0);
  if (v['cpu-quota'] !== undefined) cpu.quota = parseInteger(v['cpu-quota'], '--cpu-quota');
  if (v['cpu-rt-period'] !== undefined) cpu.realtimePeriod = parseInteger(v['cpu-rt-period'], '--cpu-rt-period', 0);
  if (v['cpu-rt-runtime'] !== undefined) cpu.realtimeRuntime = parseInteger(v['cpu-rt-runtime'], '--cpu-rt-runtime');
  if (v['cpuset-cpus']) cpu.cpus = v['cpuset-cpus'];
  if (v['cpuset-mems']) cpu.mems = v['cpuset-mems'];
  if (v.memory !== undefined) memory.limit = parseBytes(v.memory, '--memory');
  if (v['memory-swap'] !== undefined) memory.swap = parseBytes(v['memory-swap'], '--memory-swap');
  if (v['memory-reservation'] !== undefined) memory.reservation = parseBytes(v['memory-reservation'], '--memory-reservation');
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (Object.keys(memory).length > 0) r.memory = memory;
  if (v['pids-limit'] !== undefined) r.pids = { limit: parseInteger(v['pids-limit'], '--pids-limit') };
  if (v['blkio-weight'] !== undefined) r.blockIO = { weight: parseInteger(v['blkio-weight'], '--blkio-weight', 0) };
  return r;
}

/** `update [--resources|-r FILE|-] [--memory ...] ID`: change a live container's cgroup limits. */
export const updateCommand: Command = async ({ args, globals, io }) => {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  const id = exactlyOneId(positionals, 'update');
  const resources = values.resources !== undefined ? await resourcesFromFile(values.resources, io) : resourcesFromFlags(values);
  updateContainer(stateDirOf(globals.root, id), resources);
  return 0;
};
