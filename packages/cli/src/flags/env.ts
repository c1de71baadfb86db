/** -e, --env-file and -l, --label as docker reads them. */
import { FlagError } from '../errors.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** -e KEY=VAL as given; -e KEY takes KEY's value from tsctl's environment, and is dropped when unset. */
export function parseEnv(value: string, env: Environment, flag = '-e, --env'): string | undefined {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') throw new FlagError(flag, value, 'no variable name');
  if (/\s/.test(key)) throw new FlagError(flag, value, `variable ${JSON.stringify(key)} contains whitespace`);
  if (eq >= 0) return value;
  const v = env[key];
  return v === undefined ? undefined : `${key}=${v}`;
}

/** An env file: KEY=VAL lines (values kept as written), KEY alone from the environment, # comments, blank lines. */
export function parseEnvFile(text: string, file: string, env: Environment): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    try {
      const v = parseEnv(line, env, '--env-file');
      if (v !== undefined) out.push(v);
    } catch (err) {
      throw new FlagError('--env-file', file, `line ${i + 1}: ${(err as Error).message.replace(/^.*flag: /, '')}`);
    }
  });
  return out;
}

/** -l key=value (or key alone, an empty value) into a map. */
export function parseLabels(values: readonly string[], flag = '-l, --label'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (key === '') throw new FlagError(flag, v, 'no label name');
    out[key] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

/** --filter key=value, repeatable, into the request's map of value lists. */
export function parseFilters(values: readonly string[], flag = '-f, --filter'): Record<string, { values: string[] }> {
  const out: Record<string, { values: string[] }> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new FlagError(flag, v, 'expected key=value');
    (out[v.slice(0, eq).toLowerCase()] ??= { values: [] }).values.push(v.slice(eq + 1));
  }
  return out;
}
