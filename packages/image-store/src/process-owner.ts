/**
 * Which process owns a file: its pid and the kernel's start time of that pid
 * (field 22 of /proc/<pid>/stat), so that a pid reused by a later process is not
 * taken for the owner. Used to tell an ingest file a live writer holds from one
 * a dead process left behind.
 */
import { readFileSync } from 'node:fs';

/** The start time of `pid` in clock ticks since boot; undefined when it is gone (or a zombie). */
function startTimeOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name (field 2) is in parentheses and may itself hold spaces or parentheses
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined;
  return fields[19];
}

let self: string | undefined;

/** `<pid>-<start time>` of this process. */
export function ownerTag(): string {
  self ??= `${process.pid}-${startTimeOf(process.pid) ?? '0'}`;
  return self;
}

/** Whether the process a tag names still runs. */
export function isOwnerAlive(tag: string): boolean {
  const m = /^(\d+)-(\d+)$/.exec(tag);
  if (!m) return false;
  return startTimeOf(Number(m[1])) === m[2];
}
