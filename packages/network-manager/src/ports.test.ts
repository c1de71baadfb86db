import { describe, expect, it } from 'vitest';
import { checkPortConflicts, parsePortSpec } from './ports.js';

describe('parsePortSpec', () => {
  it('parses the forms docker -p takes', () => {
    expect(parsePortSpec('8080:80')).toEqual([{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('127.0.0.1:53:5353/udp')).toEqual([{ hostIp: '127.0.0.1', hostPort: 53, containerPort: 5353, protocol: 'udp' }]);
    expect(parsePortSpec(':9000:90/TCP')[0]!.hostIp).toBe('0.0.0.0');
    const range = parsePortSpec('10.0.0.1:7000-7002:8000-8002');
    expect(range.map((m) => [m.hostPort, m.containerPort])).toEqual([[7000, 8000], [7001, 8001], [7002, 8002]]);
  });

  it('names what is wrong', () => {
    expect(() => parsePortSpec('80')).toThrow('publish "80": expected [hostIP:]hostPort:containerPort');
    expect(() => parsePortSpec('0:80')).toThrow('host port "0" is not a port (1-65535)');
    expect(() => parsePortSpec('8080:70000')).toThrow('container port "70000" is not a port');
    expect(() => parsePortSpec('8080:80/sctp')).toThrow('protocol "sctp" is not tcp or udp');
    expect(() => parsePortSpec('9-8:80-81')).toThrow('host port range 9-8 ends before it starts');
    expect(() => parsePortSpec('8000-8002:80-81')).toThrow('host range has 3 ports, container range 2');
    expect(() => parsePortSpec('1.2.3:80:80')).toThrow('host IP "1.2.3": not an IPv4 address');
  });
});

describe('checkPortConflicts', () => {
  const published = [{ owner: 'c1', mapping: parsePortSpec('8080:80')[0]! }, { owner: 'c2', mapping: parsePortSpec('127.0.0.1:9090:80')[0]! }];

  it('refuses a port already published, naming its owner', () => {
    expect(() => checkPortConflicts(parsePortSpec('10.0.0.1:8080:81'), published)).toThrow('publish 10.0.0.1:8080/tcp: port already published (0.0.0.0:8080/tcp for c1)');
    expect(() => checkPortConflicts(parsePortSpec('9090:80'), published)).toThrow('for c2');
    expect(() => checkPortConflicts([...parsePortSpec('7000-7001:80-81'), ...parsePortSpec('7001:90')], published)).toThrow('given twice');
  });

  it('allows another protocol, another address or another port', () => {
    expect(() => checkPortConflicts([...parsePortSpec('8080:80/udp'), ...parsePortSpec('10.0.0.1:9090:80'), ...parsePortSpec('8081:80')], published)).not.toThrow();
  });
});
