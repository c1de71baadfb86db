import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from './container-store.js';
import { inspectOf, matchesFilters, statusText, summaryOf } from './views.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

function record(over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: 'a1b2c3d4e5f6'.padEnd(64, '0'), name: 'web', created: '2024-05-01T11:00:00.000Z', image: 'nginx:latest', imageId: 'sha256:feed',
    config: {
      image: 'nginx:latest', cmd: [], entrypoint: [], entrypointSet: false, env: [], workingDir: '', user: '', hostname: '', tty: false,
      openStdin: false, labels: { tier: 'front', 'com.example.empty': '' }, stopSignal: '', stopTimeout: 0,
    },
    hostConfig: {
      binds: [], mounts: [], portBindings: [], networkMode: 'bridge', memory: '0', nanoCpus: '0', pidsLimit: '0', restartPolicy: null,
      readOnlyRootfs: false, capAdd: [], capDrop: [], privileged: false, autoRemove: false, tmpfs: {},
    },
    hostname: 'a1b2c3d4e5f6', path: 'nginx', args: ['-g', 'daemon off;'], rootfs: '/data/rootfs', dir: '/data/containers/a1b2',
    logPath: '/data/containers/a1b2/container.log', status: 'created', pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '',
    restartCount: 0, mounts: [], networks: [], ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    task: false, manuallyStopped: false, ...over,
  };
}

describe('statusText', () => {
  it.each<[string, Partial<ContainerRecord>, string]>([
    ['created', { status: 'created' }, 'Created'],
    ['creating', { status: 'creating' }, 'Created'],
    ['running, just started', { status: 'running', startedAt: ago(400) }, 'Up Less than a second'],
    ['running for 1 second', { status: 'running', startedAt: ago(SEC) }, 'Up 1 second'],
    ['running for seconds', { status: 'running', startedAt: ago(42 * SEC) }, 'Up 42 seconds'],
    ['running for about a minute', { status: 'running', startedAt: ago(MIN) }, 'Up About a minute'],
    ['running for minutes', { status: 'running', startedAt: ago(17 * MIN) }, 'Up 17 minutes'],
    ['running for about an hour', { status: 'running', startedAt: ago(HOUR) }, 'Up About an hour'],
    ['running for hours', { status: 'running', startedAt: ago(5 * HOUR) }, 'Up 5 hours'],
    ['running for days', { status: 'running', startedAt: ago(72 * HOUR) }, 'Up 3 days'],
    ['a start time in the future', { status: 'running', startedAt: ago(-5 * SEC) }, 'Up Less than a second'],
    ['paused', { status: 'paused', startedAt: ago(3 * MIN) }, 'Up 3 minutes (Paused)'],
    ['restarting', { status: 'restarting', exitCode: 1, finishedAt: ago(2 * SEC) }, 'Restarting (1) 2 seconds ago'],
    ['exited', { status: 'exited', exitCode: 137, finishedAt: ago(10 * MIN) }, 'Exited (137) 10 minutes ago'],
    ['exited without having run', { status: 'exited', finishedAt: '' }, 'Created'],
    ['removing', { status: 'removing' }, 'Removal In Progress'],
    ['dead', { status: 'dead' }, 'Dead'],
  ])('%s', (_, over, text) => {
    expect(statusText(record(over), NOW)).toBe(text);
  });
});

describe('summaryOf', () => {
  it('is the ps row: the command joined, the public state', () => {
    expect(summaryOf(record())).toEqual({
      id: record().id, name: 'web', image: 'nginx:latest', imageId: 'sha256:feed', command: 'nginx -g daemon off;',
      created: '2024-05-01T11:00:00.000Z', state: 'created', status: 'Created',
      ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
      labels: { tier: 'front', 'com.example.empty': '' },
    });
  });

  it('shows a container being created as created, and a running one as Up', () => {
    expect(summaryOf(record({ status: 'creating' })).state).toBe('created');
    const running = summaryOf(record({ status: 'running', startedAt: new Date().toISOString() }));
    expect(running.state).toBe('running');
    expect(running.status).toMatch(/^Up /);
  });
});

describe('inspectOf', () => {
  it('gives a running container its pid and both times', () => {
    const r = record({ status: 'running', pid: 4242, startedAt: '2024-05-01T11:30:00.000Z' });
    const info = inspectOf(r);
    expect(info.state).toEqual({
      status: 'running', running: true, paused: false, restarting: false, oomKilled: false, dead: false, pid: 4242, exitCode: 0,
      error: '', startedAt: '2024-05-01T11:30:00.000Z', finishedAt: '0001-01-01T00:00:00Z',
    });
    expect(info).toMatchObject({
      id: r.id, name: 'web', created: r.created, path: 'nginx', args: ['-g', 'daemon off;'], image: 'nginx:latest', imageId: 'sha256:feed',
      logPath: '/data/containers/a1b2/container.log', restartCount: 0, rootfs: '/data/rootfs', bundle: '/data/containers/a1b2',
    });
    expect(info.config).toBe(r.config);
    expect(info.hostConfig).toBe(r.hostConfig);
    expect(info.ports).toEqual(r.ports);
  });

  it('shows paused as running and paused', () => {
    expect(inspectOf(record({ status: 'paused', pid: 7 })).state).toMatchObject({ status: 'paused', running: true, paused: true, pid: 7 });
  });

  it('gives a stopped container pid 0 even when one is recorded', () => {
    const state = inspectOf(record({ status: 'exited', pid: 99, exitCode: 3, error: 'boom', startedAt: ago(MIN), finishedAt: ago(SEC) })).state;
    expect(state).toMatchObject({ status: 'exited', running: false, pid: 0, exitCode: 3, error: 'boom', finishedAt: ago(SEC) });
  });

  it('flags dead, restarting, and shows creating as created', () => {
    expect(inspectOf(record({ status: 'dead' })).state).toMatchObject({ status: 'dead', dead: true, running: false });
    expect(inspectOf(record({ status: 'restarting' })).state).toMatchObject({ status: 'restarting', restarting: true, running: false });
    expect(inspectOf(record({ status: 'creating' })).state?.status).toBe('created');
  });
});

describe('matchesFilters', () => {
  const exited = record({ status: 'exited', exitCode: 2, finishedAt: ago(SEC) });
  const match = (filters: Record<string, string[]>, r = exited): boolean => matchesFilters(r, filters);

  it('matches everything without filters, or with empty value lists', () => {
    expect(match({})).toBe(true);
    expect(match({ name: [] })).toBe(true);
  });

  it('id: a prefix of the id', () => {
    expect(match({ id: ['a1b2'] })).toBe(true);
    expect(match({ id: ['b2'] })).toBe(false);
  });

  it('name: a part of the name, with or without the slash', () => {
    expect(match({ name: ['we'] })).toBe(true);
    expect(match({ name: ['/web'] })).toBe(true);
    expect(match({ name: ['db'] })).toBe(false);
  });

  it('status: the public state', () => {
    expect(match({ status: ['exited'] })).toBe(true);
    expect(match({ status: ['running'] })).toBe(false);
    expect(match({ status: ['created'] }, record({ status: 'creating' }))).toBe(true);
  });

  it('ancestor: the image reference or id', () => {
    expect(match({ ancestor: ['nginx:latest'] })).toBe(true);
    expect(match({ ancestor: ['sha256:feed'] })).toBe(true);
    expect(match({ ancestor: ['nginx'] })).toBe(false);
  });

  it('exited: the exit code of an exited container only', () => {
    expect(match({ exited: ['2'] })).toBe(true);
    expect(match({ exited: ['0'] })).toBe(false);
    expect(match({ exited: ['0'] }, record({ status: 'running' }))).toBe(false);
  });

  it('label: a key, or key=value', () => {
    expect(match({ label: ['tier'] })).toBe(true);
    expect(match({ label: ['tier=front'] })).toBe(true);
    expect(match({ label: ['tier=back'] })).toBe(false);
    expect(match({ label: ['com.example.empty='] })).toBe(true);
    expect(match({ label: ['owner'] })).toBe(false);
  });

  it('ORs the values of one key and ANDs the keys', () => {
    expect(match({ status: ['running', 'exited'] })).toBe(true);
    expect(match({ status: ['exited'], name: ['web'] })).toBe(true);
    expect(match({ status: ['exited'], name: ['db'] })).toBe(false);
  });

  it('matches nothing for an unknown key', () => {
    expect(match({ volume: ['x'] })).toBe(false);
  });
});
