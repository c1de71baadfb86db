import { EngineError } from '@tsrun/oci-spec/errors';

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Sizes as runc/docker read them: "512", "64m", "1.5g", "2GiB" (binary multiples); "-1" stays -1. */
export function parseBytes(text: string, flag: string): number {
  if (text === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s?([kmgtp])?i?b?$/i.exec(text.trim());
  if (!m) throw new EngineError('invalid_argument', `invalid value for ${flag}: invalid size: ${JSON.stringify(text)}`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]!);
}

export function parseInteger(text: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min) {
    throw new EngineError('invalid_argument', `invalid value for ${flag}: ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go durations ("5s", "100ms", "1m30s") in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new EngineError('invalid_argument', `invalid value for ${flag}: invalid duration ${JSON.stringify(text)}`);
  return total;
}
