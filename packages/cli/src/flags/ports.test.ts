import { describe, expect, it } from 'vitest';
import { parsePublish, portBindingsMap } from './ports.js';

describe('parsePublish (-p)', () => {
  it('reads docker syntax', () => {
    expect(parsePublish('80')).toEqual({ hostIp: '', containerPorts: { start: 80, end: 80 }, protocol: 'tcp' });
    expect(parsePublish('8080:80')).toEqual({ hostIp: '', hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' });
    expect(parsePublish('127.0.0.1:8080:80/udp')).toMatchObject({ hostIp: '127.0.0.1', hostPorts: { start: 8080 }, protocol: 'udp' });
    expect(parsePublish('127.0.0.1::80')).toEqual({ hostIp: '127.0.0.1', containerPorts: { start: 80, end: 80 }, protocol: 'tcp' });
    expect(parsePublish('8000-8002:80-82')).toMatchObject({ hostPorts: { start: 8000, end: 8002 }, containerPorts: { start: 80, end: 82 } });
    expect(parsePublish('[::1]:8080:80')).toMatchObject({ hostIp: '::1', hostPorts: { start: 8080 } });
    expect(parsePublish('8000-8010:80')).toMatchObject({ hostPorts: { start: 8000, end: 8010 }, containerPorts: { start: 80, end: 80 } });
  });

  it.each([
    ['80:abc', 'invalid container port "abc"'],
    ['70000:80', 'invalid host port 70000'],
    ['80:80/icmp', 'invalid protocol "icmp"'],
    ['1.2.3:80:80', 'invalid IP address "1.2.3"'],
    ['8000-8001:80-82', 'differ in size'],
    ['90-80:80', 'the end is below the start'],
    ['1:2:3:4', 'too many colons'],
    ['8080:', 'no container port'],
  ])('rejects %s naming the flag', (value, why) => {
    expect(() => parsePublish(value)).toThrow(`invalid argument ${JSON.stringify(value)} for "-p, --publish" flag: `);
    expect(() => parsePublish(value)).toThrow(why);
  });

  it('gives inspect its map', () => {
    expect(portBindingsMap([parsePublish('8080:80'), parsePublish('53/udp'), parsePublish('9000-9001:90-91')])).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '53/udp': [{ HostIp: '', HostPort: '' }],
      '90/tcp': [{ HostIp: '', HostPort: '9000' }],
      '91/tcp': [{ HostIp: '', HostPort: '9001' }],
    });
  });
});
