/** docker ps's rows and columns, from the daemon's ContainerSummary. */
import type { ContainerSummary, PortBinding } from '../client/wire.js';
import type { ListLayout } from './format.js';
import { ellipsis, goTimeString, shortId, timeAgo } from './humanize.js';

export const PS_LAYOUT: ListLayout = {
  table: '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: {
    ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
    State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
    LocalVolumes: 'LOCAL VOLUMES',
  },
};

/** What `docker ps --format json` prints for a container, every value a string. */
export interface PsRow {
  Command: string;
  CreatedAt: string;
  ID: string;
  Image: string;
  Labels: string;
  LocalVolumes: string;
  Mounts: string;
  Names: string;
  Networks: string;
  Ports: string;
  RunningFor: string;
  Size: string;
  State: string;
  Status: string;
}

function hostAddress(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** docker's DisplayablePorts: "0.0.0.0:8000-8001->80-81/tcp, 443/tcp", consecutive ports merged into ranges. */
export function displayPorts(ports: readonly PortBinding[]): string {
  const byCode = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const sorted = [...ports].sort((a, b) => byCode(a.hostIp, b.hostIp) || byCode(a.protocol, b.protocol) || a.containerPort - b.containerPort);
  type Run = { p: PortBinding; hostEnd: number; containerEnd: number };
  const runs: Run[] = [];
  for (const p of sorted) {
    const last = runs[runs.length - 1];
    const published = p.hostPort > 0;
    if (last && last.p.hostIp === p.hostIp && last.p.protocol === p.protocol && (last.p.hostPort > 0) === published
      && p.containerPort === last.containerEnd + 1 && (!published || p.hostPort === last.hostEnd + 1)) {
      last.containerEnd = p.containerPort;
      last.hostEnd = p.hostPort;
      continue;
    }
    runs.push({ p, hostEnd: p.hostPort, containerEnd: p.containerPort });
  }
  const range = (a: number, b: number): string => (a === b ? String(a) : `${a}-${b}`);
  return runs.map(({ p, hostEnd, containerEnd }) => {
    const container = `${range(p.containerPort, containerEnd)}/${p.protocol || 'tcp'}`;
    return p.hostPort > 0 ? `${hostAddress(p.hostIp || '0.0.0.0')}:${range(p.hostPort, hostEnd)}->${container}` : container;
  }).join(', ');
}

export function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

export function psRow(c: ContainerSummary, opts: { trunc: boolean; now?: number }): PsRow {
  const image = opts.trunc && /^sha256:[0-9a-f]{64}$/.test(c.image) ? shortId(c.image) : c.image;
  return {
    Command: JSON.stringify(opts.trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    ID: opts.trunc ? shortId(c.id) : c.id,
    Image: image,
    Labels: labelsText(c.labels ?? {}),
    LocalVolumes: '0',
    Mounts: '',
    Names: c.name.replace(/^\//, ''),
    Networks: '',
    Ports: displayPorts(c.ports ?? []),
    RunningFor: timeAgo(c.created, opts.now),
    Size: '',
    State: c.state,
    Status: c.status,
  };
}
