import { describe, expect, it } from 'vitest';
import { checkAttachment, parseConfList, parseResult, pluginEnv, pluginError, pluginStdin } from './cni-protocol.js';

const list = parseConfList({
  cniVersion: '1.0.0',
  name: 'pods',
  plugins: [
    { type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', ranges: [[{ subnet: '10.88.0.0/24' }]] } },
    { type: 'portmap', capabilities: { portMappings: true }, snat: true },
  ],
});
const attachment = { containerId: 'c1', netns: '/run/netns/x', ifName: 'eth0', args: { IgnoreUnknown: 'true', K8S_POD_NAME: 'p' } };

describe('parseConfList', () => {
  it('names the field at fault', () => {
    expect(() => parseConfList('{', 'a.conflist')).toThrow(/^cni config a.conflist: JSON: /);
    expect(() => parseConfList({ cniVersion: '0.2.0', name: 'n', plugins: [{ type: 'x' }] })).toThrow('/cniVersion: "0.2.0" is not one of 0.4.0, 1.0.0');
    expect(() => parseConfList({ cniVersion: '1.0.0', name: 'a b', plugins: [{ type: 'x' }] })).toThrow('/name: "a b" is not a valid network name');
    expect(() => parseConfList({ cniVersion: '1.0.0', name: 'n', plugins: [] })).toThrow('/plugins: must be a non-empty array');
    expect(() => parseConfList({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: '../sh' }] })).toThrow('/plugins/0/type: "../sh" is not a plugin name');
    expect(() => parseConfList({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'x', capabilities: [] }] })).toThrow('/plugins/0/capabilities: must be an object');
  });
});

describe('pluginStdin', () => {
  it('adds name and cniVersion, chains prevResult, and hands each plugin only the capabilities it declares', () => {
    const caps = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1 } };
    const first = pluginStdin(list, list.plugins[0]!, undefined, caps);
    expect(first).toEqual({ ...list.plugins[0], name: 'pods', cniVersion: '1.0.0' });
    const prev = { cniVersion: '1.0.0', ips: [{ address: '10.88.0.2/24' }] };
    const second = pluginStdin(list, list.plugins[1]!, prev, caps);
    expect(second['prevResult']).toBe(prev);
    expect(second['runtimeConfig']).toEqual({ portMappings: caps.portMappings });
  });
});

describe('pluginEnv and checkAttachment', () => {
  it('sets the CNI_* variables', () => {
    expect(pluginEnv('ADD', attachment, ['/usr/lib/cni', '/opt/cni/bin'], '/bin')).toEqual({
      PATH: '/bin', CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0',
      CNI_ARGS: 'IgnoreUnknown=true;K8S_POD_NAME=p', CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
    });
  });

  it('refuses what a plugin could not take', () => {
    expect(() => checkAttachment({ ...attachment, containerId: 'a/b' }, 'add')).toThrow('add: container id "a/b" is not valid');
    expect(() => checkAttachment({ ...attachment, ifName: 'a-very-long-interface' }, 'add')).toThrow('interface name "a-very-long-interface" is not valid');
    expect(() => checkAttachment({ ...attachment, netns: 'x' }, 'add')).toThrow('netns "x" is not an absolute path');
    expect(() => checkAttachment({ ...attachment, args: { A: 'b;c' } }, 'add')).toThrow('CNI_ARGS A=b;c');
  });
});

describe('results and errors', () => {
  it('turns the plugin JSON error into an EngineError with the plugin, its message and code', () => {
    const e = pluginError('cni ADD c1 to network pods', 'bridge', 1, '{"cniVersion":"1.0.0","code":7,"msg":"bad CNI_IFNAME","details":"too long"}', '');
    expect(e.message).toBe('cni ADD c1 to network pods: plugin bridge: bad CNI_IFNAME (too long) [CNI error 7]');
    expect(e.code).toBe('invalid_argument');
    expect(pluginError('w', 'host-local', 1, '{"code":11,"msg":"busy"}', '').code).toBe('unavailable');
    expect(pluginError('w', 'x', 2, '', 'panic: boom\n').message).toBe('w: plugin x: exit status 2: panic: boom');
  });

  it('parses results and rejects malformed ones', () => {
    const r = parseResult('w', 'bridge', '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[{"address":"10.88.0.2/24","gateway":"10.88.0.1","interface":0}]}');
    expect(r.ips?.[0]?.address).toBe('10.88.0.2/24');
    expect(() => parseResult('w', 'bridge', 'nope')).toThrow('w: plugin bridge: result is not JSON');
    expect(() => parseResult('w', 'bridge', '{"ips":[]}')).toThrow('result has no cniVersion');
    expect(() => parseResult('w', 'bridge', '{"cniVersion":"1.0.0","ips":[{"address":"10.88.0.2"}]}')).toThrow('ips[0].address is not an address in CIDR notation');
  });
});
