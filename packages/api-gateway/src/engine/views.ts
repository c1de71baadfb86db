/** How containers look to clients: ps rows and inspect documents from records. */
import type { ContainerInfo } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerInfo.js';
import type { ContainerSummary } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerSummary.js';
import type { ContainerRecord } from './container-store.js';

function ago(iso: string, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(m / 60);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}

/** Docker's status words: "Up 3 minutes", "Up 2 seconds (Paused)", "Exited (0) 5 seconds ago", "Created". */
export function statusText(r: ContainerRecord, nowMs = Date.now()): string {
  switch (r.status) {
    case 'running': return `Up ${ago(r.startedAt, nowMs)}`;
    case 'paused': return `Up ${ago(r.startedAt, nowMs)} (Paused)`;
    case 'restarting': return `Restarting (${r.exitCode}) ${ago(r.finishedAt, nowMs)} ago`;
    case 'exited': return r.finishedAt === '' ? 'Created' : `Exited (${r.exitCode}) ${ago(r.finishedAt, nowMs)} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    default: return 'Created';
  }
}

const publicState = (r: ContainerRecord): string => (r.status === 'creating' ? 'created' : r.status);

export function summaryOf(r: ContainerRecord): ContainerSummary {
  return {
    id: r.id, name: r.name, image: r.image, imageId: r.imageId, command: [r.path, ...r.args].join(' '), created: r.created,
    state: publicState(r), status: statusText(r), ports: r.ports, labels: r.config.labels,
  };
}

export function inspectOf(r: ContainerRecord): ContainerInfo {
  const running = r.status === 'running' || r.status === 'paused';
  return {
    id: r.id, name: r.name, created: r.created, path: r.path, args: r.args,
    state: {
      status: publicState(r), running, paused: r.status === 'paused', restarting: r.status === 'restarting', oomKilled: false,
      dead: r.status === 'dead', pid: running ? r.pid : 0, exitCode: r.exitCode, error: r.error,
      startedAt: r.startedAt || '0001-01-01T00:00:00Z', finishedAt: r.finishedAt || '0001-01-01T00:00:00Z',
    },
    image: r.image, imageId: r.imageId, logPath: r.logPath, restartCount: r.restartCount, config: r.config, hostConfig: r.hostConfig,
    mounts: r.mounts, networks: r.networks, ports: r.ports, rootfs: r.rootfs, bundle: r.dir,
  };
}

/** docker ps --filter: id, name, status, label, ancestor, exited (all values of one key OR'ed, keys AND'ed). */
export function matchesFilters(r: ContainerRecord, filters: Record<string, string[]>): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    const ok = values.some((v) => {
      switch (key) {
        case 'id': return r.id.startsWith(v);
        case 'name': return r.name.includes(v.replace(/^\//, ''));
        case 'status': return publicState(r) === v;
        case 'ancestor': return r.image === v || r.imageId === v;
        case 'exited': return r.status === 'exited' && String(r.exitCode) === v;
        case 'label': {
          const eq = v.indexOf('=');
          return eq < 0 ? v in r.config.labels : r.config.labels[v.slice(0, eq)] === v.slice(eq + 1);
        }
        default: return false;
      }
    });
    if (!ok) return false;
  }
  return true;
}
