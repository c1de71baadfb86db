// What the benchmarks read from /proc: resident and proportional memory of a
// process, its command line, and finding processes by what they run.
import { readdirSync, readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
}

/** VmRSS in KiB (0 when the process is gone). */
export function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? '')?.[1] ?? 0);
}

/** Pss in KiB from smaps_rollup (0 when the process is gone). */
export function pssKiB(pid: number): number {
  return Number(/Pss:\s+(\d+)/.exec(read(`/proc/${pid}/smaps_rollup`) ?? '')?.[1] ?? 0);
}

export function comm(pid: number): string {
  return (read(`/proc/${pid}/comm`) ?? '').trim();
}

export function cmdline(pid: number): string[] {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter((a) => a !== '');
}

export function parentOf(pid: number): number {
  // the comm field may hold spaces and parentheses: the fields after the last ')'
  const stat = read(`/proc/${pid}/stat`) ?? '';
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
}

export function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Every live descendant of pid (not pid itself). */
export function descendants(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const p of allPids()) {
    const pp = parentOf(p);
    byParent.set(pp, [...(byParent.get(pp) ?? []), p]);
  }
  const out: number[] = [];
  const queue = [...(byParent.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(byParent.get(p) ?? []));
  }
  return out;
}

/** Live processes whose command line satisfies the test. */
export function findProcesses(test: (argv: string[], pid: number) => boolean): number[] {
  return allPids().filter((p) => p !== process.pid && test(cmdline(p), p));
}

export const mib = (kib: number): string => (kib / 1024).toFixed(1);
