/** Reading cgroup interface files: flat keyed files, nested keyed files, and the processes of a subtree. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupReader {
  read(dir: string, file: string): string | null;
  subdirs(dir: string): string[];
}

export const fsCgroupReader: CgroupReader = {
  read(dir, file) {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return null;
    }
  },
  subdirs(dir) {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
    } catch {
      return [];
    }
  },
};

/** A single number; "max" reads as null. Values past 2^53 stay exact as bigint. */
export function readUint(r: CgroupReader, dir: string, file: string): bigint | null {
  const text = r.read(dir, file)?.trim();
  if (!text || !/^\d+$/.test(text)) return null;
  return BigInt(text);
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat). */
export function readFlatKeyed(r: CgroupReader, dir: string, file: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of (r.read(dir, file) ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) out.set(k, BigInt(v));
  }
  return out;
}

/** Every pid in the cgroup and its descendants. */
export function readPids(r: CgroupReader, dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    for (const line of (r.read(d, 'cgroup.procs') ?? '').split('\n')) {
      const n = Number(line.trim());
      if (line.trim() !== '' && Number.isInteger(n)) pids.push(n);
    }
    for (const sub of r.subdirs(d)) walk(sub);
  };
  walk(dir);
  return pids;
}

/** "0-3,5" -> [0,1,2,3,5]. */
export function parseCpuList(text: string | null): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}
