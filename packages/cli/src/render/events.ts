/** docker events' lines and JSON. */
import type { EngineEvent } from '../client/wire.js';

/** unix nanoseconds -> "2026-11-23T10:00:00.000000000Z" */
export function nanoTimestamp(timeNano: string | number): string {
  const n = BigInt(timeNano || 0);
  const seconds = n / 1_000_000_000n;
  const nanos = n % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${base}.${nanos.toString().padStart(9, '0')}Z`;
}

export function eventLine(e: EngineEvent): string {
  const attrs = Object.keys(e.attributes ?? {}).sort().map((k) => `${k}=${e.attributes[k]}`);
  return `${nanoTimestamp(e.timeNano)} ${e.type} ${e.action} ${e.id}${attrs.length > 0 ? ` (${attrs.join(', ')})` : ''}`;
}

/** The event as docker's API (and `docker events --format json`) shapes it. */
export function eventDocument(e: EngineEvent): Record<string, unknown> {
  const n = BigInt(e.timeNano || 0);
  return {
    ...(e.type === 'container' && { status: e.action, id: e.id, from: e.attributes?.['image'] ?? '' }),
    Type: e.type,
    Action: e.action,
    Actor: { ID: e.id, Attributes: e.attributes ?? {} },
    scope: 'local',
    time: Number(n / 1_000_000_000n),
    // a string here: unix nanoseconds pass 2^53, and eventJson prints the digits as a number
    timeNano: n.toString(),
  };
}

/** One event as `docker events --format json` prints it, timeNano exact. */
export function eventJson(e: EngineEvent): string {
  const doc = eventDocument(e);
  return JSON.stringify(doc).replace(`"timeNano":"${String(doc['timeNano'])}"`, `"timeNano":${String(doc['timeNano'])}`);
}
