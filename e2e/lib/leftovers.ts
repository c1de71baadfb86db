// What a container can leave behind on the host: mounts, cgroups, processes, state.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_ROOT } from './runtime.ts';

function cgroupDirs(id: string): string[] {
  const root = '/sys/fs/cgroup';
  const found: string[] = [];
  for (const h of readdirSync(root)) {
    const dir = join(root, h, 'tsrun-e2e', id);
    if (existsSync(dir)) found.push(dir);
  }
  return found;
}

function processesMentioning(needle: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, only not reaped yet
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (cmdline.includes(needle) || cgroup.includes(`/tsrun-e2e/${needle}`)) hits.push(`${pid}: ${cmdline}`);
    } catch {
      // the process exited while we looked
    }
  }
  return hits;
}

/** Everything the container with this id and bundle left behind; empty when clean. */
export function leftovers(id: string, bundleDir: string): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (line.includes(bundleDir)) found.push(`mount: ${line}`);
  }
  for (const dir of cgroupDirs(id)) found.push(`cgroup: ${dir}`);
  for (const p of processesMentioning(id)) found.push(`process: ${p}`);
  if (existsSync(join(STATE_ROOT, id))) found.push(`state: ${join(STATE_ROOT, id)}`);
  return found;
}

/** What is still in a store's trash once its background deletes had `timeoutMs` to finish ([] when it does not exist). */
export async function drained(trash: string, timeoutMs = 10_000): Promise<string[]> {
  const left = (): string[] => (existsSync(trash) ? readdirSync(trash) : []);
  for (const until = Date.now() + timeoutMs; left().length > 0 && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 50));
  return left();
}

/** A store directory's entries, its trash aside, once that trash has drained (a trash that will not drain is listed). */
export async function entriesAfterDeletes(dir: string): Promise<string[]> {
  const stuck = await drained(join(dir, '.trash'));
  return [...readdirSync(dir).filter((n) => n !== '.trash'), ...stuck.map((n) => `.trash/${n}`)].sort();
}
