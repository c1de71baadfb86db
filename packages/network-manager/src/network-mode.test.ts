import { describe, expect, it } from 'vitest';
import { resolveNetworkMode } from './network-mode.js';

describe('resolveNetworkMode', () => {
  const netnsOf = (id: string): string | undefined => (id === 'c1' ? '/proc/42/ns/net' : undefined);
  it('maps none, host, container:<id> and network names', () => {
    expect(resolveNetworkMode('none', { netnsOf })).toEqual({ kind: 'none' });
    expect(resolveNetworkMode('host', { netnsOf, hostNetns: '/run/netns/h' })).toEqual({ kind: 'host', netnsPath: '/run/netns/h' });
    expect(resolveNetworkMode('container:c1', { netnsOf })).toEqual({ kind: 'container', containerId: 'c1', netnsPath: '/proc/42/ns/net' });
    expect(resolveNetworkMode('', { netnsOf })).toEqual({ kind: 'bridge', network: 'bridge' });
    expect(resolveNetworkMode('backend', { netnsOf })).toEqual({ kind: 'bridge', network: 'backend' });
  });
  it('names a container without a namespace', () => {
    expect(() => resolveNetworkMode('container:c2', { netnsOf })).toThrow('container c2 has no network namespace');
  });
});
