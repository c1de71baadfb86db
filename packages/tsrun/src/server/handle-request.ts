import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCodeOf, wrapError } from '@tsrun/oci-spec/errors';
import { validateRuntimeConfig } from '@tsrun/oci-spec';
import { planContainer } from '../plan/plan-container.js';
import { realHost, type PlannerHost } from '../plan/host.js';
import { planExec } from '../exec/plan-exec.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { parseJson } from '../util/read-json.js';
import { parseRequest, type CreateRequest, type ExecPlanRequest, type PlannerAnswer } from './requests.js';

export interface HandlerOptions {
  host?: PlannerHost;
}

/** create: plan <bundle>/config.json into <stateDir>/plan.json and keep a copy of the config for exec and update. */
export function handleCreate(req: CreateRequest, opts: HandlerOptions = {}): string[] {
  const warnings: string[] = [];
  const configPath = join(req.bundle, 'config.json');
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw wrapError(err, `read ${configPath}`);
  }
  const config = parseJson(text, 'config.json');
  const plan = planContainer(config, {
    id: req.id, bundle: req.bundle, stateDir: req.stateDir, noPivot: req.noPivot, noNewKeyring: req.noNewKeyring, callerPid: req.callerPid,
    warn: (w) => warnings.push(w),
    ...(opts.host ? { host: opts.host } : {}),
  });
  mkdirSync(req.stateDir, { recursive: true, mode: 0o700 });
  // The state dir is new (the front end made it, and removes it when create fails):
  // nothing reads these files before this answer, so plain writes do, no rename.
  writeNew(join(req.stateDir, 'config.json'), text);
  writeNew(join(req.stateDir, 'plan.json'), `${JSON.stringify(plan)}\n`);
  return warnings;
}

function writeNew(path: string, text: string): void {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw wrapError(err, `write ${path}`);
  }
}

export function handleExec(req: ExecPlanRequest, opts: HandlerOptions = {}): void {
  const plan = planExec(req.stateDir, { processFile: req.processFile, overrides: req.overrides }, opts.host ?? realHost);
  writeJsonAtomic(req.out, plan);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** One request line in, one answer out; never throws, never a stack trace. */
export function handleLine(line: string, opts: HandlerOptions = {}): PlannerAnswer {
  try {
    const req = parseRequest(line);
    if (req.op === 'exec') {
      handleExec(req, opts);
      return { ok: true };
    }
    const warnings = handleCreate(req, opts);
    return warnings.length > 0 ? { ok: true, warnings } : { ok: true };
  } catch (err) {
    return { ok: false, error: messageOf(err), code: errorCodeOf(err) };
  }
}

/** Runs the (precompiled) config validator once ahead of the first request: V8 compiles its large code lazily, on first call. */
export function warmUpPlanner(): void {
  validateRuntimeConfig({});
}
