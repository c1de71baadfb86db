import { EngineError, type ErrorCode } from '@tsrun/oci-spec';

/**
 * The CNI 1.0 protocol as plain functions: the network configuration list, what a
 * plugin gets on stdin and in its environment, and what it answers. Spawning the
 * plugins is cni.ts's job.
 */

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniPluginConf {
  readonly type: string;
  /** the runtime options this plugin takes in runtimeConfig, e.g. { portMappings: true } */
  readonly capabilities?: Readonly<Record<string, boolean>>;
  readonly [field: string]: unknown;
}

export interface CniConfList {
  readonly cniVersion: string;
  readonly name: string;
  readonly disableCheck?: boolean;
  readonly plugins: readonly CniPluginConf[];
}

/** What the runtime says about one attachment. */
export interface CniAttachment {
  readonly containerId: string;
  /** the container's network namespace path */
  readonly netns: string;
  readonly ifName: string;
  /** CNI_ARGS, e.g. { IgnoreUnknown: 'true' } */
  readonly args?: Readonly<Record<string, string>>;
  /** runtime options handed to the plugins that declare them in `capabilities`, e.g. portMappings */
  readonly capabilityArgs?: Readonly<Record<string, unknown>>;
}

export interface CniPortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIP?: string;
}

export interface CniInterface {
  readonly name: string;
  readonly mac?: string;
  readonly sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation: 10.1.0.2/24 */
  readonly address: string;
  readonly gateway?: string;
  /** index into interfaces */
  readonly interface?: number;
}

export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces?: readonly CniInterface[];
  readonly ips?: readonly CniIpConfig[];
  readonly routes?: readonly { readonly dst: string; readonly gw?: string }[];
  readonly dns?: Readonly<Record<string, unknown>>;
}

/** The spec versions whose configuration and result format this runner speaks. */
export const SUPPORTED_CNI_VERSIONS = ['0.4.0', '1.0.0'];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME = /^[^\s/:]{1,15}$/;

function bad(source: string, field: string, why: string): EngineError {
  return new EngineError('invalid_argument', `cni config ${source}: ${field}: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a network configuration list (parsed JSON or its text), naming the field at fault. */
export function parseConfList(input: unknown, source = '<conflist>'): CniConfList {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw bad(source, 'JSON', (err as Error).message);
    }
  }
  if (!isObject(raw)) throw bad(source, '/', 'must be an object');
  if (typeof raw['cniVersion'] !== 'string' || !SUPPORTED_CNI_VERSIONS.includes(raw['cniVersion'])) {
    throw bad(source, '/cniVersion', `${JSON.stringify(raw['cniVersion'])} is not one of ${SUPPORTED_CNI_VERSIONS.join(', ')}`);
  }
  if (typeof raw['name'] !== 'string' || !NAME.test(raw['name'])) throw bad(source, '/name', `${JSON.stringify(raw['name'])} is not a valid network name`);
  if (raw['disableCheck'] !== undefined && typeof raw['disableCheck'] !== 'boolean') throw bad(source, '/disableCheck', 'must be a boolean');
  const plugins = raw['plugins'];
  if (!Array.isArray(plugins) || plugins.length === 0) throw bad(source, '/plugins', 'must be a non-empty array');
  plugins.forEach((p: unknown, i) => {
    if (!isObject(p)) throw bad(source, `/plugins/${i}`, 'must be an object');
    if (typeof p['type'] !== 'string' || !NAME.test(p['type'])) throw bad(source, `/plugins/${i}/type`, `${JSON.stringify(p['type'])} is not a plugin name`);
    if (p['capabilities'] !== undefined && !isObject(p['capabilities'])) throw bad(source, `/plugins/${i}/capabilities`, 'must be an object');
  });
  return raw as unknown as CniConfList;
}

/** Checks what the runtime passes, before any plugin runs. */
export function checkAttachment(a: CniAttachment, what: string): void {
  if (!NAME.test(a.containerId)) throw new EngineError('invalid_argument', `${what}: container id ${JSON.stringify(a.containerId)} is not valid ([a-zA-Z0-9][a-zA-Z0-9_.-]*)`);
  if (!IFNAME.test(a.ifName) || a.ifName === '.' || a.ifName === '..') throw new EngineError('invalid_argument', `${what}: interface name ${JSON.stringify(a.ifName)} is not valid`);
  if (!a.netns.startsWith('/')) throw new EngineError('invalid_argument', `${what}: netns ${JSON.stringify(a.netns)} is not an absolute path`);
  for (const [k, v] of Object.entries(a.args ?? {})) {
    if (!/^[A-Za-z0-9_]+$/.test(k) || /[;=]/.test(v)) throw new EngineError('invalid_argument', `${what}: CNI_ARGS ${k}=${v}: keys are [A-Za-z0-9_], values have no ';' or '='`);
  }
}

/**
 * What one plugin reads on stdin: its own configuration with the list's name and
 * cniVersion, the previous plugin's result (ADD) or the cached one (CHECK, DEL),
 * and in runtimeConfig only the capabilities it declares.
 */
export function pluginStdin(
  list: CniConfList, plugin: CniPluginConf, prevResult: CniResult | undefined, capabilityArgs: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  delete conf['runtimeConfig'];
  const runtimeConfig = Object.fromEntries(Object.entries(capabilityArgs).filter(([cap]) => plugin.capabilities?.[cap] === true));
  if (Object.keys(runtimeConfig).length > 0) conf['runtimeConfig'] = runtimeConfig;
  if (prevResult !== undefined) conf['prevResult'] = prevResult;
  else delete conf['prevResult'];
  return conf;
}

/** The CNI_* environment of one plugin run (PATH kept, since plugins may run iptables or nft). */
export function pluginEnv(command: CniCommand, a: CniAttachment, pluginDirs: readonly string[], path = process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'): Record<string, string> {
  return {
    PATH: path,
    CNI_COMMAND: command,
    CNI_CONTAINERID: a.containerId,
    CNI_NETNS: a.netns,
    CNI_IFNAME: a.ifName,
    CNI_ARGS: Object.entries(a.args ?? {}).map(([k, v]) => `${k}=${v}`).join(';'),
    CNI_PATH: pluginDirs.join(':'),
  };
}

/** CNI's well-known error codes (spec: "Error"), as the engine's. */
function codeOf(cniCode: number): ErrorCode {
  switch (cniCode) {
    case 1: return 'failed_precondition'; // incompatible CNI version
    case 2: case 4: case 6: case 7: return 'invalid_argument'; // unsupported field, invalid config, decode failure, invalid env
    case 3: return 'not_found'; // container unknown or does not exist
    case 11: return 'unavailable'; // try again later
    default: return 'internal'; // 5 I/O failure, 100+ plugin-specific
  }
}

/** A failed run as an EngineError naming the plugin and its own message (its JSON error on stdout, else stderr). */
export function pluginError(what: string, plugin: string, status: number, stdout: string, stderr: string): EngineError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    parsed = undefined;
  }
  if (isObject(parsed) && typeof parsed['msg'] === 'string') {
    const code = typeof parsed['code'] === 'number' ? parsed['code'] : 999;
    const details = typeof parsed['details'] === 'string' && parsed['details'] !== '' ? ` (${parsed['details']})` : '';
    return new EngineError(codeOf(code), `${what}: plugin ${plugin}: ${parsed['msg']}${details} [CNI error ${code}]`);
  }
  const text = (stderr.trim() || stdout.trim()).split('\n').filter(Boolean).join('; ');
  return new EngineError('internal', `${what}: plugin ${plugin}: exit status ${status}${text ? `: ${text}` : ''}`);
}

/** Parses an ADD result, checking the parts the runtime reads. */
export function parseResult(what: string, plugin: string, stdout: string): CniResult {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (err) {
    throw new EngineError('internal', `${what}: plugin ${plugin}: result is not JSON (${(err as Error).message})`);
  }
  const fail = (why: string): EngineError => new EngineError('internal', `${what}: plugin ${plugin}: result ${why}`);
  if (!isObject(raw)) throw fail('is not an object');
  if (typeof raw['cniVersion'] !== 'string') throw fail('has no cniVersion');
  for (const key of ['interfaces', 'ips', 'routes'] as const) {
    if (raw[key] !== undefined && !Array.isArray(raw[key])) throw fail(`${key} is not an array`);
  }
  for (const [i, ip] of ((raw['ips'] ?? []) as unknown[]).entries()) {
    if (!isObject(ip) || typeof ip['address'] !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$|:/.test(ip['address'])) throw fail(`ips[${i}].address is not an address in CIDR notation`);
  }
  return raw as unknown as CniResult;
}
