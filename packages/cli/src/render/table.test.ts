import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../client/wire.js';
import { displayPorts, PS_LAYOUT, psRow } from './containers.js';
import { renderList } from './format.js';
import { alignTabs, table } from './table.js';

describe('tabwriter alignment (minwidth 10, padding 3)', () => {
  it('pads every column but the last', () => {
    expect(table(['CONTAINER ID', 'IMAGE', 'NAMES'], [['0123456789ab', 'busybox', 'web']])).toBe(
      'CONTAINER ID   IMAGE     NAMES\n'
      + '0123456789ab   busybox   web\n',
    );
    expect(alignTabs(['a\tbbbbbbbbbbbb\tc'])).toBe('a         bbbbbbbbbbbb   c\n');
  });
});

const summary = (over: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: '4f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e', name: '/web', image: 'nginx:1.27', imageId: 'sha256:aa',
  command: 'nginx -g \'daemon off;\'', created: '2026-11-23T09:59:00Z', state: 'running', status: 'Up About a minute',
  ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], labels: { b: '2', a: '1' }, ...over,
});

describe('docker ps rows', () => {
  const now = Date.parse('2026-11-23T10:00:30Z');

  it('the default table, as docker prints it', () => {
    const rows = [psRow(summary(), { trunc: true, now }), psRow(summary({ id: 'ab'.repeat(32), name: '/db', image: 'postgres:17', command: 'docker-entrypoint.sh postgres', ports: [], state: 'exited', status: 'Exited (0) 5 seconds ago' }), { trunc: true, now })];
    expect(renderList(undefined, rows, PS_LAYOUT)).toBe(
      'CONTAINER ID   IMAGE         COMMAND                  CREATED              STATUS                     PORTS                  NAMES\n'
      + '4f2c1d0e9b8a   nginx:1.27    "nginx -g \'daemon of…"   About a minute ago   Up About a minute          0.0.0.0:8080->80/tcp   web\n'
      + 'abababababab   postgres:17   "docker-entrypoint.s…"   About a minute ago   Exited (0) 5 seconds ago                          db\n',
    );
  });

  it('--no-trunc keeps ids and commands whole', () => {
    const row = psRow(summary(), { trunc: false, now });
    expect(row.ID).toHaveLength(64);
    expect(row.Command).toBe('"nginx -g \'daemon off;\'"');
    expect(row.Labels).toBe('a=1,b=2');
  });

  it('--format json, a template, and table TEMPLATE', () => {
    const rows = [psRow(summary(), { trunc: true, now })];
    expect(JSON.parse(renderList('json', rows, PS_LAYOUT))).toMatchObject({ ID: '4f2c1d0e9b8a', Names: 'web', State: 'running' });
    expect(renderList('{{.ID}}\\t{{.Names}}', rows, PS_LAYOUT)).toBe('4f2c1d0e9b8a\tweb\n');
    expect(renderList('table {{.Names}}\\t{{.State}}\\t{{.Custom}}', rows, PS_LAYOUT)).toBe('NAMES     STATE     CUSTOM\nweb       running   <no value>\n');
  });

  it('ports: ranges merged, unpublished ones bare, IPv6 in brackets', () => {
    expect(displayPorts([
      { hostIp: '0.0.0.0', hostPort: 8001, containerPort: 81, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 8000, containerPort: 80, protocol: 'tcp' },
      { hostIp: '::', hostPort: 8000, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 0, containerPort: 443, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' },
    ])).toBe('443/tcp, 0.0.0.0:8000-8001->80-81/tcp, 0.0.0.0:5353->53/udp, [::]:8000->80/tcp');
  });
});
