/**
 * Container statistics in the shape `runc events` prints (runc's types/events.go).
 * Counters are bigint because cgroup values such as "unlimited" exceed 2^53.
 */
export interface BlkioEntry { major: bigint; minor: bigint; op: string; value: bigint }
export interface MemoryEntry { limit: bigint; usage: bigint; max: bigint; failcnt: bigint }

export interface Stats {
  cpu: {
    usage: { total: bigint; percpu: bigint[]; percpu_kernel: bigint[]; percpu_user: bigint[]; kernel: bigint; user: bigint };
    throttling: { periods: bigint; throttledPeriods: bigint; throttledTime: bigint };
  };
  cpuset: { cpus: number[]; mems: number[] };
  memory: { cache: bigint; usage: MemoryEntry; swap: MemoryEntry; kernel: MemoryEntry; kernelTCP: MemoryEntry; raw: Map<string, bigint> };
  pids: { current: bigint; limit: bigint };
  blkio: { ioServiceBytesRecursive: BlkioEntry[]; ioServicedRecursive: BlkioEntry[] };
  hugetlb: Map<string, { usage: bigint; max: bigint; failcnt: bigint }>;
}

export const zeroEntry = (): MemoryEntry => ({ limit: 0n, usage: 0n, max: 0n, failcnt: 0n });

export function emptyStats(): Stats {
  return {
    cpu: {
      usage: { total: 0n, percpu: [], percpu_kernel: [], percpu_user: [], kernel: 0n, user: 0n },
      throttling: { periods: 0n, throttledPeriods: 0n, throttledTime: 0n },
    },
    cpuset: { cpus: [], mems: [] },
    memory: { cache: 0n, usage: zeroEntry(), swap: zeroEntry(), kernel: zeroEntry(), kernelTCP: zeroEntry(), raw: new Map() },
    pids: { current: 0n, limit: 0n },
    blkio: { ioServiceBytesRecursive: [], ioServicedRecursive: [] },
    hugetlb: new Map(),
  };
}
