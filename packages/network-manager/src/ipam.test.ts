import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ipam } from './ipam.js';

describe('Ipam', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tsrun-ipam-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('allocates after the gateway, skipping taken addresses', () => {
    const ipam = new Ipam(dir);
    expect(ipam.createPool('n1', '10.9.0.0/24').gateway).toBe('10.9.0.1');
    expect(ipam.allocate('n1', 'c1')).toEqual({ address: '10.9.0.2', prefix: 24, gateway: '10.9.0.1' });
    expect(ipam.allocate('n1', 'c2', '10.9.0.3').address).toBe('10.9.0.3');
    expect(ipam.allocate('n1', 'c3').address).toBe('10.9.0.4');
  });

  it('never hands out an address twice across a restart, and does not reuse a released one at once', () => {
    new Ipam(dir).createPool('n1', '10.9.0.0/24');
    const a = new Ipam(dir).allocate('n1', 'c1').address;
    const b = new Ipam(dir).allocate('n1', 'c2').address;
    expect(new Set([a, b]).size).toBe(2);
    expect(new Ipam(dir).release('n1', 'c1')).toEqual([a]);
    const c = new Ipam(dir).allocate('n1', 'c3').address;
    expect([a, b]).not.toContain(c);
    expect(JSON.parse(readFileSync(join(dir, 'ipam', 'n1.json'), 'utf8')).allocations).toEqual({ [b]: 'c2', [c]: 'c3' });
  });

  it('wraps around and reports exhaustion', () => {
    const ipam = new Ipam(dir);
    ipam.createPool('tiny', '10.9.0.0/30');
    expect(ipam.allocate('tiny', 'c1').address).toBe('10.9.0.2');
    expect(() => ipam.allocate('tiny', 'c2')).toThrow('ipam: network tiny: no free address left in 10.9.0.0/30');
    ipam.release('tiny', 'c1');
    expect(ipam.allocate('tiny', 'c3').address).toBe('10.9.0.2');
  });

  it('refuses bad static addresses with the reason', () => {
    const ipam = new Ipam(dir);
    ipam.createPool('n1', '10.9.0.0/24');
    ipam.allocate('n1', 'c1', '10.9.0.7');
    expect(() => ipam.allocate('n1', 'c2', '10.9.1.7')).toThrow('ip 10.9.1.7: outside subnet 10.9.0.0/24 of network n1');
    expect(() => ipam.allocate('n1', 'c2', '10.9.0.7')).toThrow('ip 10.9.0.7: already in use on network n1 (by c1)');
    expect(() => ipam.allocate('n1', 'c2', '10.9.0.1')).toThrow('(by the gateway)');
    expect(() => ipam.allocate('n1', 'c2', '10.9.0.255')).toThrow('the broadcast address');
    expect(() => ipam.allocate('n1', 'c2', 'x')).toThrow('ip "x": not an IPv4 address');
  });

  it('refuses overlapping subnets, bad gateways and invalid CIDRs without writing anything', () => {
    const ipam = new Ipam(dir);
    ipam.createPool('n1', '10.9.0.0/16');
    const before = ipam.pools();
    expect(() => ipam.createPool('n2', '10.9.5.0/24')).toThrow('subnet 10.9.5.0/24: overlaps 10.9.0.0/16 of network n1');
    expect(() => ipam.createPool('n2', '10.10.0.0/24', '10.11.0.1')).toThrow('gateway 10.11.0.1: not a host address of subnet 10.10.0.0/24');
    expect(() => ipam.createPool('n2', '10.10.0.0/99')).toThrow('prefix length must be 0-32');
    expect(() => ipam.createPool('n1', '10.20.0.0/24')).toThrow('already has a pool');
    expect(ipam.pools()).toEqual(before);
  });

  it('refuses to drop a pool with allocations unless forced', () => {
    const ipam = new Ipam(dir);
    ipam.createPool('n1', '10.9.0.0/24');
    ipam.allocate('n1', 'c1');
    expect(() => ipam.removePool('n1')).toThrow('1 address(es) still allocated (c1)');
    ipam.removePool('n1', true);
    expect(ipam.pools()).toEqual([]);
  });
});
