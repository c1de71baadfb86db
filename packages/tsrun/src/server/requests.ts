/**
 * The planner protocol (docs/plan-format.md, "Planner requests"): one JSON request per
 * line from the C front end. Requests are checked field by field so that a malformed
 * one gets an answer naming the field.
 */
import { posix } from 'node:path';
import { EngineError } from '@tsrun/oci-spec/errors';
import type { ExecOverrides } from '../exec/exec-request.js';

export interface CreateRequest {
  op: 'create';
  id: string;
  bundle: string;
  stateDir: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  /** The `tsrun create` process: a relative cgroupsPath goes under its cgroup. */
  callerPid: number;
}

export interface ExecPlanRequest {
  op: 'exec';
  id: string;
  stateDir: string;
  processFile: string | null;
  overrides: ExecOverrides;
  out: string;
}

export type PlannerRequest = CreateRequest | ExecPlanRequest;

export type PlannerAnswer = { ok: true; warnings?: string[] } | { ok: false; error: string; code: string };

type Obj = Record<string, unknown>;

const bad = (field: string, what: string): EngineError => new EngineError('invalid_argument', `request: field "${field}": ${what}`);

function str(o: Obj, f: string, prefix = ''): string {
  const v = o[f];
  if (typeof v !== 'string' || v === '') throw bad(prefix + f, 'must be a non-empty string');
  return v;
}
function abs(o: Obj, f: string): string {
  const v = str(o, f);
  if (!posix.isAbsolute(v)) throw bad(f, 'must be an absolute path');
  return v;
}
function bool(o: Obj, f: string, prefix = '', dflt?: boolean): boolean {
  const v = o[f];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'boolean') throw bad(prefix + f, 'must be true or false');
  return v;
}
function nullableStr(o: Obj, f: string, prefix = ''): string | null {
  const v = o[f];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad(prefix + f, 'must be a string or null');
  return v;
}
function strArray(o: Obj, f: string, prefix = ''): string[] {
  const v = o[f] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(prefix + f, 'must be an array of strings');
  return v as string[];
}
function uintArray(o: Obj, f: string, prefix = ''): number[] {
  const v = o[f] ?? [];
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || (x as number) < 0)) throw bad(prefix + f, 'must be an array of non-negative integers');
  return v as number[];
}
function pid(o: Obj, f: string): number {
  const v = o[f];
  if (!Number.isInteger(v) || (v as number) <= 0) throw bad(f, 'must be a process id (a positive integer)');
  return v as number;
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function overrides(v: unknown): ExecOverrides {
  if (!isObj(v)) throw bad('overrides', 'must be an object');
  const p = 'overrides.';
  let user: ExecOverrides['user'] = null;
  if (v['user'] !== undefined && v['user'] !== null) {
    const u = v['user'];
    if (!isObj(u) || !Number.isInteger(u['uid']) || !Number.isInteger(u['gid']) || (u['uid'] as number) < 0 || (u['gid'] as number) < 0) {
      throw bad('overrides.user', 'must be {"uid":N,"gid":N} or null');
    }
    user = { uid: u['uid'] as number, gid: u['gid'] as number };
  }
  return {
    args: strArray(v, 'args', p),
    env: strArray(v, 'env', p),
    cwd: nullableStr(v, 'cwd', p),
    user,
    additionalGids: uintArray(v, 'additionalGids', p),
    caps: strArray(v, 'caps', p),
    tty: bool(v, 'tty', p, false),
    noNewPrivs: bool(v, 'noNewPrivs', p, false),
    apparmor: nullableStr(v, 'apparmor', p),
    processLabel: nullableStr(v, 'processLabel', p),
  };
}

export function parseRequest(line: string): PlannerRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new EngineError('invalid_argument', 'request: not valid JSON');
  }
  if (!isObj(v)) throw new EngineError('invalid_argument', 'request: must be a JSON object');
  switch (v['op']) {
    case 'create':
      return {
        op: 'create', id: str(v, 'id'), bundle: abs(v, 'bundle'), stateDir: abs(v, 'stateDir'),
        noPivot: bool(v, 'noPivot', '', false), noNewKeyring: bool(v, 'noNewKeyring', '', false), callerPid: pid(v, 'callerPid'),
      };
    case 'exec': {
      const processFile = nullableStr(v, 'processFile');
      if (processFile !== null && !posix.isAbsolute(processFile)) throw bad('processFile', 'must be an absolute path or null');
      return {
        op: 'exec', id: str(v, 'id'), stateDir: abs(v, 'stateDir'), processFile,
        overrides: processFile !== null && v['overrides'] === undefined ? overrides({}) : overrides(v['overrides']),
        out: abs(v, 'out'),
      };
    }
    case undefined:
      throw bad('op', 'is required ("create" or "exec")');
    default:
      throw bad('op', `unknown operation ${JSON.stringify(v['op'])}`);
  }
}
