/**
 * Stats as runc's JSON: Go's omitempty rules reproduced (zero counters and empty
 * lists dropped where runc drops them) and bigints written as exact JSON numbers.
 */
import type { BlkioEntry, MemoryEntry, Stats } from './stats-types.js';

type Json = unknown;

function omitZero(obj: Record<string, Json>, keys: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) {
    const empty = v === 0n || v === '' || (Array.isArray(v) && v.length === 0) || (v instanceof Map && v.size === 0);
    if (keys.includes(k) && empty) continue;
    out[k] = v instanceof Map ? Object.fromEntries(v) : v;
  }
  return out;
}

const memoryEntry = (e: MemoryEntry): Json => omitZero({ ...e }, ['usage', 'max']);
const blkio = (list: BlkioEntry[]): Json[] => list.map((e) => omitZero({ ...e }, ['major', 'minor', 'op', 'value']));

export function statsToRuncJson(s: Stats): Json {
  return {
    cpu: {
      usage: omitZero({ ...s.cpu.usage }, ['total', 'percpu', 'percpu_kernel', 'percpu_user']),
      throttling: omitZero({ ...s.cpu.throttling }, ['periods', 'throttledPeriods', 'throttledTime']),
    },
    cpuset: {
      ...omitZero({ cpus: s.cpuset.cpus, mems: s.cpuset.mems }, ['cpus', 'mems']),
      cpu_exclusive: 0, mem_hardwall: 0, mem_exclusive: 0, memory_migrate: 0, memory_spread_page: 0,
      memory_spread_slab: 0, memory_pressure: 0, sched_load_balance: 0, sched_relax_domain_level: 0,
    },
    memory: omitZero(
      {
        cache: s.memory.cache,
        usage: memoryEntry(s.memory.usage),
        swap: memoryEntry(s.memory.swap),
        kernel: memoryEntry(s.memory.kernel),
        kernelTCP: memoryEntry(s.memory.kernelTCP),
        raw: s.memory.raw,
      },
      ['cache', 'raw'],
    ),
    pids: omitZero({ ...s.pids }, ['current', 'limit']),
    blkio: omitZero(
      { ioServiceBytesRecursive: blkio(s.blkio.ioServiceBytesRecursive), ioServicedRecursive: blkio(s.blkio.ioServicedRecursive) },
      ['ioServiceBytesRecursive', 'ioServicedRecursive'],
    ),
    hugetlb: Object.fromEntries([...s.hugetlb].map(([k, v]) => [k, omitZero({ ...v }, ['usage', 'max'])])),
    intel_rdt: {},
    network_interfaces: null,
  };
}

/** JSON.stringify with bigints as plain (exact) numbers. */
export function stringifyBig(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    marks.push(v.toString());
    return `\u0000big${marks.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_, i: string) => marks[Number(i)]!);
}
