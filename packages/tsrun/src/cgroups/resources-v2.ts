import type { OciResources } from '../plan/config-types.js';
import { invalidField, pointer } from '../plan/invalid.js';
import { checkPageSize, WriteList, type CgroupTarget } from './write-list.js';

const R = '/linux/resources';

/** cpu.shares (2..262144) to cpu.weight (1..10000), the conversion runc and crun share. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** blkio.weight (10..1000) to io.weight (1..10000). */
export function blkioToIoWeight(weight: number): number {
  return weight === 0 ? 0 : 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** v1's memory+swap limit as v2's swap-only limit (memory.swap.max); null = leave unset. */
export function swapMax(swap: number | undefined, limit: number | undefined, field: string): string | null {
  if (limit === -1 && (swap === undefined || swap === 0)) return 'max';
  if (swap === undefined || swap === 0) return null;
  if (swap === -1) return 'max';
  if (limit === undefined || limit <= 0) throw invalidField(field, 'a swap limit needs a memory limit');
  if (swap < limit) throw invalidField(field, `memory+swap (${swap}) must be at least the memory limit (${limit})`);
  return String(swap - limit);
}

const maxOr = (v: number): string => (v === -1 ? 'max' : String(v));

function memory(w: WriteList, m: NonNullable<OciResources['memory']>): void {
  const f = `${R}/memory`;
  if (m.swappiness !== undefined) throw invalidField(`${f}/swappiness`, 'memory.swappiness needs cgroup v1');
  if (m.disableOOMKiller) throw invalidField(`${f}/disableOOMKiller`, 'disabling the OOM killer needs cgroup v1');
  if (m.useHierarchy === false) throw invalidField(`${f}/useHierarchy`, 'cgroup v2 is always hierarchical');
  const swap = swapMax(m.swap, m.limit, `${f}/swap`);
  if (swap !== null) w.add('memory', 'memory.swap.max', swap, `${f}/swap`);
  if (m.limit) w.add('memory', 'memory.max', maxOr(m.limit), `${f}/limit`);
  if (m.reservation) w.add('memory', 'memory.low', maxOr(m.reservation), `${f}/reservation`);
}

function cpu(w: WriteList, c: NonNullable<OciResources['cpu']>): void {
  const f = `${R}/cpu`;
  if (c.realtimePeriod || c.realtimeRuntime) {
    throw invalidField(`${f}/${c.realtimePeriod ? 'realtimePeriod' : 'realtimeRuntime'}`, 'realtime CPU limits need cgroup v1');
  }
  if (c.cpus) w.add('cpuset', 'cpuset.cpus', c.cpus, `${f}/cpus`);
  if (c.mems) w.add('cpuset', 'cpuset.mems', c.mems, `${f}/mems`);
  if (c.shares) w.add('cpu', 'cpu.weight', sharesToWeight(c.shares), `${f}/shares`);
  if (c.quota || c.period) {
    const quota = c.quota && c.quota > 0 ? String(c.quota) : 'max';
    w.add('cpu', 'cpu.max', c.period ? `${quota} ${c.period}` : quota, `${f}/${c.quota ? 'quota' : 'period'}`);
  }
  if (c.burst !== undefined) w.add('cpu', 'cpu.max.burst', c.burst, `${f}/burst`);
  if (c.idle !== undefined) w.add('cpu', 'cpu.idle', c.idle, `${f}/idle`);
}

function io(w: WriteList, b: NonNullable<OciResources['blockIO']>): void {
  const f = `${R}/blockIO`;
  if (b.leafWeight) throw invalidField(`${f}/leafWeight`, 'leaf weights need cgroup v1');
  if (b.weight) w.add('io', 'io.weight', blkioToIoWeight(b.weight), `${f}/weight`);
  (b.weightDevice ?? []).forEach((d, i) => {
    if (d.leafWeight !== undefined) throw invalidField(`${f}/weightDevice/${i}/leafWeight`, 'leaf weights need cgroup v1');
    if (d.weight) w.add('io', 'io.weight', `${d.major}:${d.minor} ${blkioToIoWeight(d.weight)}`, `${f}/weightDevice/${i}`);
  });
  const throttles = [
    ['throttleReadBpsDevice', 'rbps'],
    ['throttleWriteBpsDevice', 'wbps'],
    ['throttleReadIOPSDevice', 'riops'],
    ['throttleWriteIOPSDevice', 'wiops'],
  ] as const;
  for (const [key, name] of throttles) {
    (b[key] ?? []).forEach((d, i) => w.add('io', 'io.max', `${d.major}:${d.minor} ${name}=${d.rate === 0 ? 'max' : d.rate}`, `${f}/${key}/${i}`));
  }
}

function unified(w: WriteList, entries: Record<string, string>): void {
  for (const [key, value] of Object.entries(entries)) {
    const field = pointer('linux', 'resources', 'unified', key);
    if (!/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(key)) throw invalidField(field, `${JSON.stringify(key)} is not a cgroup interface file name`);
    if (key === 'cgroup.procs' || key === 'cgroup.threads' || key === 'cgroup.subtree_control') {
      throw invalidField(field, `${key} is managed by tsrun`);
    }
    const controller = key.slice(0, key.indexOf('.'));
    w.add(controller === 'cgroup' ? '' : controller, key, value, field);
  }
}

/** linux.resources as cgroup v2 file writes; device rules go to the eBPF program instead. */
export function v2Writes(resources: OciResources | undefined, target: CgroupTarget): WriteList {
  const w = new WriteList(target);
  const r = resources ?? {};
  if (r.network?.classID !== undefined || (r.network?.priorities ?? []).length > 0) {
    throw invalidField(`${R}/network`, 'net_cls and net_prio are not available on cgroup v2');
  }
  if (r.cpu) cpu(w, r.cpu);
  if (r.memory) memory(w, r.memory);
  // 0 is "not set" and negative is "no limit", as runc reads them.
  if (r.pids && r.pids.limit !== 0) w.add('pids', 'pids.max', r.pids.limit > 0 ? r.pids.limit : 'max', `${R}/pids/limit`);
  if (r.blockIO) io(w, r.blockIO);
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const size = checkPageSize(h.pageSize, `${R}/hugepageLimits/${i}/pageSize`);
    w.add('hugetlb', `hugetlb.${size}.max`, h.limit, `${R}/hugepageLimits`);
  });
  if (r.unified) unified(w, r.unified);
  return w;
}
