/** Docker's words for times, sizes and ids (go-units HumanDuration, HumanSize, BytesSize). */

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** "About a minute ago"; an unparseable or empty time gives "". */
export function timeAgo(rfc3339: string, now: number = Date.now()): string {
  const t = Date.parse(rfc3339);
  if (rfc3339 === '' || Number.isNaN(t)) return '';
  return `${humanDuration(Math.max(0, now - t))} ago`;
}

/** Go's time.Time String() in UTC, as docker's CreatedAt shows it: "2026-11-23 10:00:00 +0000 UTC". */
export function goTimeString(rfc3339: string): string {
  const t = Date.parse(rfc3339);
  if (rfc3339 === '' || Number.isNaN(t)) return '';
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`;
}

function customSize(size: number, base: number, units: readonly string[], precision: number): string {
  let s = size;
  let i = 0;
  while (s >= base && i < units.length - 1) {
    s /= base;
    i += 1;
  }
  return `${Number(s.toPrecision(precision))}${units[i]}`;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units HumanSizeWithPrecision: decimal units, `precision` significant digits ("16.4MB"). */
export function humanSize(bytes: number, precision = 4): string {
  return customSize(bytes, 1000, DECIMAL, precision);
}

/** go-units BytesSize: binary units ("1.953GiB"). */
export function bytesSize(bytes: number): string {
  return customSize(bytes, 1024, BINARY, 4);
}

/** docker's Ellipsis: at most `max` characters, the last one "…" when cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** The 12 hex digits docker shows for an id or a digest. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
