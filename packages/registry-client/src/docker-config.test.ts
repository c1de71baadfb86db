import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authKeyOf, readCredentials, removeCredentials, writeCredentials } from './docker-config.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'regcfg-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('docker config.json credentials', () => {
  it('reads base64 auth by host, URL-keyed entries, and Docker Hub under its legacy key', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({
      auths: {
        'localhost:5000': { auth: Buffer.from('alice:s3:cret').toString('base64') },
        'https://quay.io/v2/': { auth: Buffer.from('bob:pw').toString('base64') },
        'https://index.docker.io/v1/': { auth: Buffer.from('carol:x').toString('base64') },
        'empty.example': {},
      },
    }));
    expect(await readCredentials(path, 'localhost:5000')).toEqual({ username: 'alice', password: 's3:cret' });
    expect(await readCredentials(path, 'quay.io')).toEqual({ username: 'bob', password: 'pw' });
    expect(await readCredentials(path, 'docker.io')).toEqual({ username: 'carol', password: 'x' });
    expect(await readCredentials(path, 'empty.example')).toBeUndefined();
    expect(await readCredentials(path, 'other:1')).toBeUndefined();
    expect(await readCredentials(join(dir, 'missing.json'), 'x')).toBeUndefined();
    expect(authKeyOf('docker.io')).toBe('https://index.docker.io/v1/');
  });

  it('names the file when it is not JSON or the auth is malformed', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '{nope');
    await expect(readCredentials(path, 'x')).rejects.toThrow(`docker config ${path}:`);
    writeFileSync(path, JSON.stringify({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }));
    await expect(readCredentials(path, 'x')).rejects.toThrow(/auths\.x\.auth is not base64/);
  });

  it('writes atomically with mode 0600, keeping the other fields, and removes', async () => {
    const path = join(dir, 'sub', 'config.json');
    await writeCredentials(path, 'localhost:5000', { username: 'u', password: 'p' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const first = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...first, credsStore: 'none', detachKeys: 'ctrl-x' }));
    await writeCredentials(path, '127.0.0.1:1', { username: 'v', password: 'q' });
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.detachKeys).toBe('ctrl-x');
    expect(Object.keys(file.auths).sort()).toEqual(['127.0.0.1:1', 'localhost:5000']);
    expect(await readCredentials(path, '127.0.0.1:1')).toEqual({ username: 'v', password: 'q' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['config.json']);
    expect(await removeCredentials(path, 'localhost:5000')).toBe(true);
    expect(await removeCredentials(path, 'localhost:5000')).toBe(false);
    expect(await readCredentials(path, 'localhost:5000')).toBeUndefined();
  });
});
