import { describe, expect, it } from 'vitest';
import { connectFromWire, connectToWire, endpointFromWire, endpointToWire, portFromWire } from './grpc-convert.js';
import type { EndpointInfo } from './types.js';

const ep: EndpointInfo = {
  network: 'n', containerId: 'c', name: 'web', aliases: ['www'], hostname: 'h', netnsPath: '/run/netns/c', ifName: 'eth0',
  hostIf: 'tsv01234567', address: '10.0.0.2', prefix: 24, gateway: '10.0.0.1', mac: '02:42:0a:00:00:02', filesDir: '/d/c',
};

describe('grpc-convert', () => {
  it('keeps "no nameservers given" apart from "none"', () => {
    expect(endpointFromWire({ ...endpointToWire(ep), dns: null } as never)).toEqual(ep);
    expect(endpointFromWire(endpointToWire({ ...ep, dns: [] }) as never)).toEqual({ ...ep, dns: [] });
    const wire = connectToWire({ network: 'n', containerId: 'c', netnsPath: '/p', dns: ['192.0.2.53'] });
    const back = connectFromWire({ ...wire, name: '', hostname: '', ip: '', ifName: '' } as never);
    expect(back).toEqual({ network: 'n', containerId: 'c', netnsPath: '/p', aliases: [], dns: ['192.0.2.53'] });
  });

  it('refuses a protocol it does not know', () => {
    expect(() => portFromWire({ hostIp: '0.0.0.0', hostPort: 1, containerPort: 1, protocol: 'sctp' })).toThrow('unknown protocol "sctp"');
  });
});
