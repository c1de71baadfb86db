/** docker stats's columns, from two consecutive samples (CPU % is a rate). */
import type { ContainerStats } from '../client/wire.js';
import type { ListLayout } from './format.js';
import { bytesSize, humanSize, shortId } from './humanize.js';

export const STATS_LAYOUT: ListLayout = {
  table: '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  headers: {
    Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
    NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
  },
};

function percent(n: number): string {
  return `${n.toFixed(2)}%`;
}

export function statsRow(current: ContainerStats, previous: ContainerStats | undefined, trunc: boolean): Record<string, string> {
  let cpu = 0;
  if (previous) {
    const cpuDelta = Number(current.cpuUsageNs) - Number(previous.cpuUsageNs);
    const systemDelta = Number(current.systemCpuUsageNs) - Number(previous.systemCpuUsageNs);
    if (cpuDelta > 0 && systemDelta > 0) cpu = (cpuDelta / systemDelta) * (current.onlineCpus || 1) * 100;
  }
  const mem = Number(current.memoryUsage);
  const limit = Number(current.memoryLimit);
  return {
    Container: current.name || current.id,
    ID: trunc ? shortId(current.id) : current.id,
    Name: current.name.replace(/^\//, ''),
    CPUPerc: percent(cpu),
    MemUsage: `${bytesSize(mem)} / ${bytesSize(limit)}`,
    MemPerc: percent(limit > 0 ? (100 * mem) / limit : 0),
    NetIO: `${humanSize(Number(current.netRxBytes), 3)} / ${humanSize(Number(current.netTxBytes), 3)}`,
    BlockIO: `${humanSize(Number(current.blkReadBytes), 3)} / ${humanSize(Number(current.blkWriteBytes), 3)}`,
    PIDs: String(current.pidsCurrent),
  };
}
