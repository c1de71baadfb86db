import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyNetworkFiles, writeEtcFiles } from './etc-files.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etc-files-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('etc files', () => {
  it('writes hostname, a loopback hosts file and the host\'s resolv.conf', () => {
    const resolv = join(dir, 'host-resolv.conf');
    writeFileSync(resolv, 'nameserver 192.0.2.53\n');
    writeEtcFiles(dir, 'box', false, resolv);
    expect(readFileSync(join(dir, 'hostname'), 'utf8')).toBe('box\n');
    expect(readFileSync(join(dir, 'hosts'), 'utf8')).toBe('127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\n');
  });

  it('leaves resolv.conf empty when the host has none, and copies the host\'s hosts with host networking', () => {
    writeEtcFiles(dir, 'box', true, join(dir, 'missing'));
    expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'hosts'), 'utf8')).toBe(readFileSync('/etc/hosts', 'utf8'));
  });

  it('rewrites hosts and resolv.conf in place from the endpoint, naming what it could not copy', () => {
    writeEtcFiles(dir, 'box', false, join(dir, 'missing'));
    const files = mkdtempSync(join(tmpdir(), 'endpoint-'));
    try {
      writeFileSync(join(files, 'hosts'), '10.0.0.2\tbox\n');
      expect(copyNetworkFiles(dir, files).map((f) => f.file)).toEqual(['resolv.conf']);
      expect(readFileSync(join(dir, 'hosts'), 'utf8')).toBe('10.0.0.2\tbox\n');
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});
