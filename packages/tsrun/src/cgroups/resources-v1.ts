import type { OciResources } from '../plan/config-types.js';
import type { PlanDeviceRule } from '../plan/plan-types.js';
import { invalidField } from '../plan/invalid.js';
import { checkPageSize, deviceNumber, WriteList, type CgroupTarget } from './write-list.js';

const R = '/linux/resources';
/** What the kernel reports as "no limit" in memory.limit_in_bytes. */
const V1_UNLIMITED = 2 ** 63;

function memory(w: WriteList, m: NonNullable<OciResources['memory']>): void {
  const f = `${R}/memory`;
  let swap = m.swap;
  if (m.limit === -1 && swap === undefined) swap = -1;
  const writeLimit = (): void => {
    if (m.limit) w.add('memory', 'memory.limit_in_bytes', m.limit, `${f}/limit`);
  };
  const writeSwap = (): void => {
    if (swap === undefined || swap === 0) return;
    if (!w.target.hasFile('memory', 'memory.memsw.limit_in_bytes')) {
      throw invalidField(`${f}/swap`, 'swap accounting (memory.memsw.*) is not enabled on this host');
    }
    w.add('memory', 'memory.memsw.limit_in_bytes', swap, `${f}/swap`);
  };
  // memsw must stay >= memory: when raising, swap goes first (as runc orders it).
  const current = Number(w.target.current('memory', 'memory.limit_in_bytes') ?? V1_UNLIMITED);
  if (swap !== undefined && swap !== 0 && (swap === -1 || current < swap)) {
    writeSwap();
    writeLimit();
  } else {
    writeLimit();
    writeSwap();
  }
  if (m.reservation) w.add('memory', 'memory.soft_limit_in_bytes', m.reservation, `${f}/reservation`);
  if (m.swappiness !== undefined) {
    if (m.swappiness > 100) throw invalidField(`${f}/swappiness`, `${m.swappiness} is above 100`);
    w.add('memory', 'memory.swappiness', m.swappiness, `${f}/swappiness`);
  }
  if (m.disableOOMKiller) w.add('memory', 'memory.oom_control', 1, `${f}/disableOOMKiller`);
  if (m.useHierarchy !== undefined) w.add('memory', 'memory.use_hierarchy', m.useHierarchy ? 1 : 0, `${f}/useHierarchy`);
}

function cpu(w: WriteList, c: NonNullable<OciResources['cpu']>): void {
  const f = `${R}/cpu`;
  if (c.cpus) w.add('cpuset', 'cpuset.cpus', c.cpus, `${f}/cpus`);
  if (c.mems) w.add('cpuset', 'cpuset.mems', c.mems, `${f}/mems`);
  if (c.shares) w.add('cpu', 'cpu.shares', c.shares, `${f}/shares`);
  if (c.period) w.add('cpu', 'cpu.cfs_period_us', c.period, `${f}/period`);
  if (c.quota) w.add('cpu', 'cpu.cfs_quota_us', c.quota, `${f}/quota`);
  if (c.burst !== undefined) w.add('cpu', 'cpu.cfs_burst_us', c.burst, `${f}/burst`);
  if (c.realtimePeriod) w.add('cpu', 'cpu.rt_period_us', c.realtimePeriod, `${f}/realtimePeriod`);
  if (c.realtimeRuntime) w.add('cpu', 'cpu.rt_runtime_us', c.realtimeRuntime, `${f}/realtimeRuntime`);
  if (c.idle !== undefined) throw invalidField(`${f}/idle`, 'cpu.idle needs cgroup v2');
}

function blockIO(w: WriteList, b: NonNullable<OciResources['blockIO']>): void {
  const f = `${R}/blockIO`;
  // Kernels without CFQ only offer the BFQ files.
  const bfq = !w.target.hasFile('blkio', 'blkio.weight') && w.target.hasFile('blkio', 'blkio.bfq.weight');
  const weightFile = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
  // 0 means "not set" (Docker sends it for every container), as runc reads it.
  if (b.weight) {
    if (!w.target.hasFile('blkio', weightFile)) throw invalidField(`${f}/weight`, 'blkio weights are not available on this host (no blkio.weight)');
    w.add('blkio', weightFile, b.weight, `${f}/weight`);
  }
  if (b.leafWeight) w.add('blkio', 'blkio.leaf_weight', b.leafWeight, `${f}/leafWeight`);
  (b.weightDevice ?? []).forEach((d, i) => {
    if (d.weight !== undefined) w.add('blkio', `${weightFile}_device`, `${d.major}:${d.minor} ${d.weight}`, `${f}/weightDevice/${i}`);
    if (d.leafWeight !== undefined) w.add('blkio', 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`, `${f}/weightDevice/${i}`);
  });
  const throttles = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
    ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
    ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ] as const;
  for (const [key, file] of throttles) {
    (b[key] ?? []).forEach((d, i) => w.add('blkio', file, `${d.major}:${d.minor} ${d.rate}`, `${f}/${key}/${i}`));
  }
}

/** A v1 device rule line as devices.allow/devices.deny take it: "c 1:3 rwm", "a *:* rwm". */
export function v1DeviceLine(r: PlanDeviceRule): string {
  return `${r.type} ${deviceNumber(r.major)}:${deviceNumber(r.minor)} ${r.access}`;
}

/** linux.resources as cgroup v1 file writes, in runc's subsystem order. */
export function v1Writes(resources: OciResources | undefined, rules: readonly PlanDeviceRule[] | null, target: CgroupTarget): WriteList {
  const w = new WriteList(target);
  const r = resources ?? {};
  if (r.unified && Object.keys(r.unified).length > 0) {
    throw invalidField(`${R}/unified`, 'unified (cgroup v2) settings cannot be applied on this cgroup v1 host');
  }
  if (r.cpu) cpu(w, r.cpu);
  (rules ?? []).forEach((rule) => {
    w.add('devices', rule.allow ? 'devices.allow' : 'devices.deny', v1DeviceLine(rule), `${R}/devices`);
  });
  if (r.memory) memory(w, r.memory);
  // 0 is "not set" and negative is "no limit", as runc reads them.
  if (r.pids && r.pids.limit !== 0) w.add('pids', 'pids.max', r.pids.limit > 0 ? r.pids.limit : 'max', `${R}/pids/limit`);
  if (r.blockIO) blockIO(w, r.blockIO);
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const size = checkPageSize(h.pageSize, `${R}/hugepageLimits/${i}/pageSize`);
    w.add('hugetlb', `hugetlb.${size}.limit_in_bytes`, h.limit, `${R}/hugepageLimits`);
  });
  if (r.network?.classID !== undefined) w.add('net_cls', 'net_cls.classid', r.network.classID, `${R}/network/classID`);
  (r.network?.priorities ?? []).forEach((p, i) => {
    w.add('net_prio', 'net_prio.ifpriomap', `${p.name} ${p.priority}`, `${R}/network/priorities/${i}`);
  });
  return w;
}
