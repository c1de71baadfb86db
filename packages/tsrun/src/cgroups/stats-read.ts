import type { PlanCgroup } from '../plan/plan-types.js';
import { parseCpuList, readFlatKeyed, readUint, type CgroupReader } from './cgroup-files.js';
import { emptyStats, type BlkioEntry, type MemoryEntry, type Stats } from './stats-types.js';

/** cpuacct.stat counts USER_HZ ticks (100 per second on Linux). */
const NS_PER_TICK = 10_000_000n;
const MAX_UINT64 = 2n ** 64n - 1n;

/** Finds the container's directory holding a v1 controller's file. */
function v1Dir(cg: PlanCgroup, r: CgroupReader, file: string): string | null {
  return cg.dirs.find((d) => r.read(d, file) !== null) ?? null;
}

function v1MemoryEntry(r: CgroupReader, dir: string, prefix: string): MemoryEntry {
  return {
    limit: readUint(r, dir, `${prefix}.limit_in_bytes`) ?? 0n,
    usage: readUint(r, dir, `${prefix}.usage_in_bytes`) ?? 0n,
    max: readUint(r, dir, `${prefix}.max_usage_in_bytes`) ?? 0n,
    failcnt: readUint(r, dir, `${prefix}.failcnt`) ?? 0n,
  };
}

/** blkio "8:0 Read 4096" lines; the "Total" line is dropped. */
function blkioEntries(text: string | null): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, op, value] = line.trim().split(/\s+/);
    const m = dev ? /^(\d+):(\d+)$/.exec(dev) : null;
    if (m && op && value && /^\d+$/.test(value)) out.push({ major: BigInt(m[1]!), minor: BigInt(m[2]!), op, value: BigInt(value) });
  }
  return out;
}

function statsV1(cg: PlanCgroup, r: CgroupReader): Stats {
  const s = emptyStats();
  const acct = v1Dir(cg, r, 'cpuacct.usage');
  if (acct) {
    s.cpu.usage.total = readUint(r, acct, 'cpuacct.usage') ?? 0n;
    s.cpu.usage.percpu = (r.read(acct, 'cpuacct.usage_percpu') ?? '').trim().split(/\s+/).filter(Boolean).map(BigInt);
    const stat = readFlatKeyed(r, acct, 'cpuacct.stat');
    s.cpu.usage.user = (stat.get('user') ?? 0n) * NS_PER_TICK;
    s.cpu.usage.kernel = (stat.get('system') ?? 0n) * NS_PER_TICK;
  }
  const cpu = v1Dir(cg, r, 'cpu.stat');
  if (cpu) {
    const stat = readFlatKeyed(r, cpu, 'cpu.stat');
    s.cpu.throttling = { periods: stat.get('nr_periods') ?? 0n, throttledPeriods: stat.get('nr_throttled') ?? 0n, throttledTime: stat.get('throttled_time') ?? 0n };
  }
  const cpuset = v1Dir(cg, r, 'cpuset.cpus');
  if (cpuset) s.cpuset = { cpus: parseCpuList(r.read(cpuset, 'cpuset.cpus')), mems: parseCpuList(r.read(cpuset, 'cpuset.mems')) };
  const mem = v1Dir(cg, r, 'memory.stat');
  if (mem) {
    s.memory.raw = readFlatKeyed(r, mem, 'memory.stat');
    s.memory.cache = s.memory.raw.get('cache') ?? 0n;
    s.memory.usage = v1MemoryEntry(r, mem, 'memory');
    s.memory.swap = v1MemoryEntry(r, mem, 'memory.memsw');
    s.memory.kernel = v1MemoryEntry(r, mem, 'memory.kmem');
    s.memory.kernelTCP = v1MemoryEntry(r, mem, 'memory.kmem.tcp');
  }
  const pids = v1Dir(cg, r, 'pids.current');
  if (pids) s.pids = { current: readUint(r, pids, 'pids.current') ?? 0n, limit: readUint(r, pids, 'pids.max') ?? 0n };
  const blkio = v1Dir(cg, r, 'blkio.throttle.io_service_bytes_recursive');
  if (blkio) {
    s.blkio.ioServiceBytesRecursive = blkioEntries(r.read(blkio, 'blkio.throttle.io_service_bytes_recursive'));
    s.blkio.ioServicedRecursive = blkioEntries(r.read(blkio, 'blkio.throttle.io_serviced_recursive'));
  }
  return s;
}

function statsV2(cg: PlanCgroup, r: CgroupReader): Stats {
  const s = emptyStats();
  const dir = cg.dirs[0]!;
  const cpu = readFlatKeyed(r, dir, 'cpu.stat');
  s.cpu.usage.total = (cpu.get('usage_usec') ?? 0n) * 1000n;
  s.cpu.usage.user = (cpu.get('user_usec') ?? 0n) * 1000n;
  s.cpu.usage.kernel = (cpu.get('system_usec') ?? 0n) * 1000n;
  s.cpu.throttling = { periods: cpu.get('nr_periods') ?? 0n, throttledPeriods: cpu.get('nr_throttled') ?? 0n, throttledTime: (cpu.get('throttled_usec') ?? 0n) * 1000n };
  s.cpuset = { cpus: parseCpuList(r.read(dir, 'cpuset.cpus.effective')), mems: parseCpuList(r.read(dir, 'cpuset.mems.effective')) };
  s.memory.raw = readFlatKeyed(r, dir, 'memory.stat');
  s.memory.cache = s.memory.raw.get('file') ?? 0n;
  const events = readFlatKeyed(r, dir, 'memory.events');
  s.memory.usage = { limit: readUint(r, dir, 'memory.max') ?? MAX_UINT64, usage: readUint(r, dir, 'memory.current') ?? 0n, max: readUint(r, dir, 'memory.peak') ?? 0n, failcnt: events.get('max') ?? 0n };
  s.memory.swap = { limit: readUint(r, dir, 'memory.swap.max') ?? MAX_UINT64, usage: readUint(r, dir, 'memory.swap.current') ?? 0n, max: 0n, failcnt: 0n };
  s.pids = { current: readUint(r, dir, 'pids.current') ?? 0n, limit: readUint(r, dir, 'pids.max') ?? 0n };
  for (const line of (r.read(dir, 'io.stat') ?? '').split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = dev ? /^(\d+):(\d+)$/.exec(dev) : null;
    if (!m) continue;
    const kv = new Map(kvs.map((x) => x.split('=') as [string, string]));
    const entry = (key: string, op: string): BlkioEntry => ({ major: BigInt(m[1]!), minor: BigInt(m[2]!), op, value: BigInt(kv.get(key) ?? '0') });
    s.blkio.ioServiceBytesRecursive.push(entry('rbytes', 'Read'), entry('wbytes', 'Write'));
    s.blkio.ioServicedRecursive.push(entry('rios', 'Read'), entry('wios', 'Write'));
  }
  return s;
}

export function readStats(cg: PlanCgroup, r: CgroupReader): Stats {
  return cg.version === 2 ? statsV2(cg, r) : statsV1(cg, r);
}
