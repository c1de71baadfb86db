/**
 * Credentials in a Docker `config.json`: `auths.<registry>.auth` is
 * base64("user:password"), keyed by the registry host (Docker Hub's key is
 * `https://index.docker.io/v1/`); older files key by URL. Written atomically,
 * mode 0600, keeping every other field of the file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import { DEFAULT_DOMAIN } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export function defaultDockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** The `auths` key for a registry. */
export function authKeyOf(registry: string): string {
  return registry === DEFAULT_DOMAIN || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_KEY : registry;
}

function hostOfKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '');
  return stripped.split('/')[0]!;
}

type ConfigFile = Record<string, unknown> & { auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }> };

async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw wrapError(err, `read ${path}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ConfigFile;
  } catch (err) {
    throw wrapError(err, `docker config ${path}`, 'invalid_argument');
  }
}

/** The credentials stored for a registry, or undefined. */
export async function readCredentials(path: string, registry: string): Promise<Credentials | undefined> {
  const auths = (await readConfig(path)).auths ?? {};
  const key = authKeyOf(registry);
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => hostOfKey(k) === hostOfKey(key))?.[1];
  if (entry === undefined) return undefined;
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (entry.auth === undefined || entry.auth === '') return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new EngineError('invalid_argument', `docker config ${path}: auths.${key}.auth is not base64("user:password")`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function writeAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.chmod(0o600);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw wrapError(err, `write ${path}`);
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function writeCredentials(path: string, registry: string, creds: Credentials): Promise<void> {
  const config = await readConfig(path);
  const auths = { ...(config.auths ?? {}) };
  auths[authKeyOf(registry)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  await writeAtomic(path, `${JSON.stringify({ ...config, auths }, null, '\t')}\n`);
}

/** Removes a registry's credentials; false when there were none. */
export async function removeCredentials(path: string, registry: string): Promise<boolean> {
  const config = await readConfig(path);
  const auths = { ...(config.auths ?? {}) };
  const key = authKeyOf(registry);
  const keys = Object.keys(auths).filter((k) => k === key || hostOfKey(k) === hostOfKey(key));
  if (keys.length === 0) return false;
  for (const k of keys) delete auths[k];
  await writeAtomic(path, `${JSON.stringify({ ...config, auths }, null, '\t')}\n`);
  return true;
}
