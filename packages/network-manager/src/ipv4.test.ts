import { describe, expect, it } from 'vitest';
import { formatIpv4, macFor, parseIpv4, parseSubnet, subnetsOverlap } from './ipv4.js';

describe('ipv4', () => {
  it('parses and formats addresses', () => {
    expect(formatIpv4(parseIpv4('172.30.0.1', 'ip'))).toBe('172.30.0.1');
    expect(parseIpv4('255.255.255.255', 'ip')).toBe(0xffffffff);
    expect(() => parseIpv4('256.0.0.1', 'ip')).toThrow('ip "256.0.0.1": not an IPv4 address');
    expect(() => parseIpv4('01.2.3.4', 'gateway')).toThrow('gateway "01.2.3.4": not an IPv4 address');
  });

  it('parses subnets and names what is wrong', () => {
    expect(parseSubnet('10.1.0.0/16')).toEqual({ base: parseIpv4('10.1.0.0', 'x'), prefix: 16 });
    expect(() => parseSubnet('10.1.0.0')).toThrow('subnet "10.1.0.0": not a CIDR');
    expect(() => parseSubnet('10.1.0.0/33')).toThrow('prefix length must be 0-32');
    expect(() => parseSubnet('10.1.2.0/16')).toThrow('host bits are set (did you mean 10.1.0.0/16?)');
    expect(() => parseSubnet('10.1.0.0/31')).toThrow('at most /30');
    expect(() => parseSubnet('nope/8')).toThrow('not an IPv4 address');
  });

  it('detects overlap both ways', () => {
    const a = parseSubnet('10.0.0.0/8');
    const b = parseSubnet('10.5.0.0/16');
    const c = parseSubnet('11.0.0.0/16');
    expect(subnetsOverlap(a, b)).toBe(true);
    expect(subnetsOverlap(b, a)).toBe(true);
    expect(subnetsOverlap(a, c)).toBe(false);
  });

  it('derives a locally administered MAC from an address', () => {
    expect(macFor(parseIpv4('172.30.0.2', 'ip'))).toBe('02:42:ac:1e:00:02');
  });
});
