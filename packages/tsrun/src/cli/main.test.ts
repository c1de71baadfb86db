import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validateRuntimeConfig, validateRuntimeFeatures } from '@tsrun/oci-spec';
import { main } from './main.js';
import { parseGlobalFlags } from './global-flags.js';
import { parseBytes, parseDuration } from './units.js';
import { resourcesFromFlags } from './commands/update.js';
import { stateDirFor } from '../testdata/state-dir.js';

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([stdin]) }, null);
  return { code, out, err };
}

describe('global flags', () => {
  it('parses runc\'s global flags before the command', () => {
    expect(parseGlobalFlags(['--root', '/r', '--log=/l', '--log-format', 'json', '--debug', 'ps', '--format', 'json', 'c1'])).toEqual({
      globals: { root: '/r', log: '/l', logFormat: 'json', debug: true },
      rest: ['ps', '--format', 'json', 'c1'],
    });
    expect(parseGlobalFlags(['features']).globals.root).toBe('/run/tsrun');
    expect(() => parseGlobalFlags(['--bogus', 'ps'])).toThrow('flag provided but not defined: --bogus');
    expect(() => parseGlobalFlags(['--systemd-cgroup', 'ps'])).toThrow(/systemd/);
  });
});

describe('units', () => {
  it('reads sizes and durations like runc', () => {
    expect(parseBytes('64m', '--memory')).toBe(64 * 1024 * 1024);
    expect(parseBytes('1.5g', '--memory')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('2GiB', '--memory')).toBe(2 * 1024 ** 3);
    expect(parseBytes('1024', '--memory')).toBe(1024);
    expect(parseBytes('-1', '--memory')).toBe(-1);
    expect(() => parseBytes('lots', '--memory')).toThrow('invalid value for --memory: invalid size: "lots"');
    expect(parseDuration('5s', '--interval')).toBe(5000);
    expect(parseDuration('1m30s', '--interval')).toBe(90_000);
    expect(parseDuration('250ms', '--interval')).toBe(250);
    expect(() => parseDuration('5', '--interval')).toThrow(/invalid duration/);
  });
});

describe('tsrun commands', () => {
  it('prints errors as "tsrun: <message>" and exits 1', async () => {
    expect(await run(['bogus'])).toEqual({ code: 1, out: '', err: 'tsrun: unknown command "bogus" for the Node side of tsrun\n' });
    expect((await run(['ps'])).err).toBe('tsrun: "ps" requires a minimum of 1 argument (the container id)\n');
    expect((await run(['--root', '/nonexistent', 'ps', 'c9'])).err).toBe('tsrun: container c9 does not exist\n');
  });

  it('spec writes runc\'s default spec and refuses to overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsrun-spec-'));
    expect((await run(['spec', '--bundle', dir])).code).toBe(0);
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text.startsWith('{\n\t"ociVersion": "1.3.0",')).toBe(true);
    const spec = JSON.parse(text);
    expect(validateRuntimeConfig(spec)).toEqual([]);
    expect(spec.linux.namespaces.map((n: { type: string }) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(await run(['spec', '-b', dir])).toMatchObject({ code: 1, err: 'tsrun: File config.json exists. Remove it first\n' });
    const rootless = mkdtempSync(join(tmpdir(), 'tsrun-spec-'));
    await run(['spec', '--rootless', '-b', rootless]);
    const r = JSON.parse(readFileSync(join(rootless, 'config.json'), 'utf8'));
    expect(r.linux.namespaces.map((n: { type: string }) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'user']);
    expect(r.linux.uidMappings).toEqual([{ containerID: 0, hostID: process.geteuid!(), size: 1 }]);
    expect(r.linux.resources).toBeUndefined();
    expect(r.mounts.find((m: { destination: string }) => m.destination === '/sys')).toEqual({ destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    expect((await run(['spec', '-b', '/nonexistent'])).err).toMatch(/^tsrun: chdir \/nonexistent: ENOENT/);
  });

  it('features prints a valid OCI features document', async () => {
    const { code, out } = await run(['features']);
    expect(code).toBe(0);
    const f = JSON.parse(out);
    expect(validateRuntimeFeatures(f)).toEqual([]);
    expect(f.ociVersionMax).toBe('1.3.0');
    expect(f.linux.capabilities).toHaveLength(41);
    expect(f.linux.apparmor.enabled).toBe(false);
    expect(out.startsWith('{\n    "ociVersionMin"')).toBe(true);
  });

  it('ps --format json lists the pids of the container cgroup', async () => {
    const { root } = stateDirFor();
    expect(await run(['--root', root, 'ps', '--format', 'json', 'c1'])).toEqual({ code: 0, out: '[]\n', err: '' });
    expect((await run(['--root', root, 'ps', '-f', 'yaml', 'c1'])).err).toBe('tsrun: invalid format option\n');
  });

  it('update translates flags and rejects what it cannot change', async () => {
    expect(resourcesFromFlags({ memory: '64m', 'memory-swap': '-1', 'cpu-quota': '50000', 'cpu-share': '512', 'pids-limit': '10', 'blkio-weight': '300' })).toEqual({
      memory: { limit: 67108864, swap: -1 }, cpu: { quota: 50000, shares: 512 }, pids: { limit: 10 }, blockIO: { weight: 300 },
    });
    expect(() => resourcesFromFlags({ 'kernel-memory': '1m' })).toThrow('--kernel-memory is not supported by tsrun');
    const { root } = stateDirFor();
    expect((await run(['--root', root, 'update', '-r', '-', 'c1'], '{"devices":[{"allow":true,"access":"r"}]}')).err).toBe(
      'tsrun: update: device rules cannot be changed on a running container\n',
    );
    expect((await run(['--root', root, 'update', '-r', '-', 'c1'], '[1]')).err).toBe('tsrun: stdin: resources must be a JSON object\n');
  });

  it('events refuses a stopped container', async () => {
    const { root, stateDir } = stateDirFor(() => {}, 999_999_999);
    expect(existsSync(stateDir)).toBe(true);
    expect((await run(['--root', root, 'events', '--stats', 'c1'])).err).toBe('tsrun: container with id c1 is not running\n');
    writeFileSync(join(stateDir, 'state.json'), '{');
    expect((await run(['--root', root, 'events', '--stats', 'c1'])).err).toMatch(/state.json: invalid JSON/);
  });
});
