/** Docker's value syntaxes for sizes, CPUs, restart policies, durations and timestamps. */
import { FlagError } from '../errors.js';
import type { RestartPolicy } from '../client/wire.js';

const BINARY: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker's RAMInBytes: "64m", "1.5g", "512", "2GiB", units binary and case-insensitive. */
export function parseBytes(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(value.trim());
  if (!m) throw new FlagError(flag, value, 'expected a size such as 512, 64m or 1.5g (units b, k, m, g, t, p)');
  const bytes = Math.floor(Number(m[1]) * BINARY[(m[2] ?? '').toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new FlagError(flag, value, 'too large');
  return bytes;
}

/** --cpus 1.5 -> 1500000000 nano CPUs, exactly (no float rounding), as docker's big.Rat does. */
export function parseNanoCpus(value: string, flag = '--cpus'): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new FlagError(flag, value, 'expected a decimal number of CPUs such as 1.5');
  const fraction = m[2] ?? '';
  if (fraction.length > 9 && /[1-9]/.test(fraction.slice(9))) throw new FlagError(flag, value, 'value is too precise');
  const nano = Number(m[1] || '0') * 1e9 + Number(fraction.slice(0, 9).padEnd(9, '0'));
  if (!Number.isSafeInteger(nano)) throw new FlagError(flag, value, 'too large');
  return nano;
}

export function parseInteger(value: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new FlagError(flag, value, 'expected an integer');
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new FlagError(flag, value, `must be an integer of at least ${min}`);
  return n;
}

/** --restart no | always | unless-stopped | on-failure[:N] */
export function parseRestart(value: string, flag = '--restart'): RestartPolicy {
  const [name = '', count, ...extra] = value.split(':');
  if (extra.length > 0) throw new FlagError(flag, value, 'expected no, always, unless-stopped or on-failure[:max-retries]');
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw new FlagError(flag, value, `invalid restart policy ${JSON.stringify(name)}: expected no, always, unless-stopped or on-failure[:max-retries]`);
  }
  if (count === undefined) return { name, maximumRetryCount: 0 };
  if (name !== 'on-failure') throw new FlagError(flag, value, `maximum retry count cannot be used with restart policy '${name}'`);
  if (!/^\d+$/.test(count)) throw new FlagError(flag, value, `maximum retry count must be a non-negative integer, not ${JSON.stringify(count)}`);
  return { name, maximumRetryCount: Number(count) };
}

const DURATION_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("90s", "1h30m") in milliseconds, or undefined when `text` is not one. */
export function goDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_MS[m[2]!]!;
    at = re.lastIndex;
  }
  return text === '' ? undefined : total;
}

/**
 * --since/--until as docker takes them: a duration before now ("10m"), RFC 3339
 * (or a date), or unix seconds. The daemon takes RFC 3339 or unix seconds.
 */
export function parseTimestamp(value: string, flag: string, now: Date = new Date()): string {
  const ms = goDurationMs(value);
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString();
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value) && !Number.isNaN(Date.parse(value))) {
    return /[T ]\d/.test(value) ? value.replace(' ', 'T') : `${value}T00:00:00Z`;
  }
  throw new FlagError(flag, value, 'expected a duration before now (10m), a timestamp (2026-01-02T15:04:05Z) or unix seconds');
}
