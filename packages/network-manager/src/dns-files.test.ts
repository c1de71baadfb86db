import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHosts, renderResolvConf, writeContainerFiles } from './dns-files.js';

describe('dns files', () => {
  it('lists the container, then its peers, by name and alias', () => {
    const hosts = renderHosts([{ ip: '10.7.0.2', names: ['web', 'web', 'www'] }], [{ ip: '10.7.0.3', names: ['db', 'postgres'] }]);
    expect(hosts.split('\n')).toEqual(['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', '10.7.0.2\tweb www', '10.7.0.3\tdb postgres', '']);
  });

  it("keeps the host's nameservers and search but drops loopback stubs; given servers win", () => {
    const host = 'nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\noptions ndots:2\n# c\n';
    expect(renderResolvConf(host)).toBe('nameserver 192.0.2.1\nsearch example.org\noptions ndots:2\n');
    expect(renderResolvConf(host, ['9.9.9.9'])).toBe('nameserver 9.9.9.9\nsearch example.org\noptions ndots:2\n');
  });

  it('writes the three files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsrun-dns-'));
    try {
      writeContainerFiles(join(dir, 'c1'), { hostname: 'web', hosts: 'h\n', resolvConf: 'r\n' });
      expect(readFileSync(join(dir, 'c1', 'hostname'), 'utf8')).toBe('web\n');
      expect(readFileSync(join(dir, 'c1', 'hosts'), 'utf8')).toBe('h\n');
      expect(readFileSync(join(dir, 'c1', 'resolv.conf'), 'utf8')).toBe('r\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
