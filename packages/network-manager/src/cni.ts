import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { writeJsonAtomic } from './atomic-write.js';
import {
  checkAttachment, parseConfList, parseResult, pluginEnv, pluginError, pluginStdin,
  type CniAttachment, type CniCommand, type CniConfList, type CniPluginConf, type CniResult,
} from './cni-protocol.js';
import { inNetns, runCommand } from './run-command.js';

export interface CniRunnerOptions {
  /** where plugin binaries are looked up, in order (CNI_PATH); Debian's: /usr/lib/cni */
  readonly pluginDirs?: readonly string[];
  /** the namespace the plugins' host side acts in (undefined: this process's own, i.e. the host) */
  readonly hostNetns?: string;
  /** where ADD results are kept for CHECK and DEL (one JSON file per attachment, written atomically) */
  readonly cacheDir: string;
}

interface CachedAttachment {
  readonly network: string;
  readonly containerId: string;
  readonly ifName: string;
  readonly netns: string;
  readonly result: CniResult;
}

/**
 * Runs standard CNI plugins (spec 1.0) for a network configuration list: ADD in
 * list order, each plugin getting the previous one's result; CHECK and DEL with
 * the cached ADD result, DEL in reverse order.
 */
export class CniRunner {
  readonly #dirs: readonly string[];
  readonly #hostNetns: string | undefined;
  readonly #cacheDir: string;

  constructor(o: CniRunnerOptions) {
    this.#dirs = o.pluginDirs ?? ['/usr/lib/cni', '/opt/cni/bin'];
    this.#hostNetns = o.hostNetns;
    this.#cacheDir = o.cacheDir;
  }

  /** Loads and validates a .conflist file. */
  static loadConfList(path: string): CniConfList {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new EngineError('not_found', `cni config ${path}: ${(err as Error).message}`, { cause: err });
    }
    return parseConfList(text, path);
  }

  /** ADD; if a plugin fails, what the earlier ones did is undone (DEL of the whole list) and the plugin's error thrown. */
  async add(list: CniConfList, a: CniAttachment): Promise<CniResult> {
    const what = `cni ADD ${a.containerId} to network ${list.name}`;
    checkAttachment(a, what);
    if (!existsSync(a.netns)) throw new EngineError('invalid_argument', `${what}: netns ${a.netns} does not exist`);
    if (existsSync(this.#cacheFile(list.name, a))) throw new EngineError('already_exists', `${what}: already attached as ${a.ifName}`);
    const plugins = list.plugins.map((p) => this.#find(p, what));
    let prev: CniResult | undefined;
    try {
      for (const [i, p] of list.plugins.entries()) prev = await this.#exec('ADD', what, list, p, plugins[i]!, a, prev);
    } catch (err) {
      await this.#delAll(list, a, prev).catch(() => undefined);
      throw err;
    }
    const result = prev ?? { cniVersion: list.cniVersion };
    const cached: CachedAttachment = { network: list.name, containerId: a.containerId, ifName: a.ifName, netns: a.netns, result };
    writeJsonAtomic(this.#cacheFile(list.name, a), cached);
    return result;
  }

  /** CHECK: every plugin verifies that what ADD set up is still there (skipped when the list says disableCheck). */
  async check(list: CniConfList, a: CniAttachment): Promise<void> {
    const what = `cni CHECK ${a.containerId} on network ${list.name}`;
    checkAttachment(a, what);
    if (list.disableCheck) return;
    const cached = this.#cached(list.name, a);
    if (!cached) throw new EngineError('not_found', `${what}: not attached (no cached ADD result)`);
    const plugins = list.plugins.map((p) => this.#find(p, what));
    for (const [i, p] of list.plugins.entries()) await this.#exec('CHECK', what, list, p, plugins[i]!, a, cached.result);
  }

  /** DEL in reverse order; a missing attachment is not an error (the spec asks plugins the same). */
  async del(list: CniConfList, a: CniAttachment): Promise<void> {
    const what = `cni DEL ${a.containerId} from network ${list.name}`;
    checkAttachment(a, what);
    await this.#delAll(list, a, this.#cached(list.name, a)?.result);
    rmSync(this.#cacheFile(list.name, a), { force: true });
  }

  /** The cached ADD result of an attachment, if any. */
  result(network: string, a: Pick<CniAttachment, 'containerId' | 'ifName'>): CniResult | undefined {
    return this.#cached(network, a)?.result;
  }

  async #delAll(list: CniConfList, a: CniAttachment, prev: CniResult | undefined): Promise<void> {
    const what = `cni DEL ${a.containerId} from network ${list.name}`;
    const plugins = list.plugins.map((p) => this.#find(p, what));
    for (let i = list.plugins.length - 1; i >= 0; i--) await this.#exec('DEL', what, list, list.plugins[i]!, plugins[i]!, a, prev);
  }

  async #exec(
    command: CniCommand, what: string, list: CniConfList, plugin: CniPluginConf, binary: string, a: CniAttachment, prev: CniResult | undefined,
  ): Promise<CniResult | undefined> {
    const stdin = JSON.stringify(pluginStdin(list, plugin, prev, a.capabilityArgs));
    const r = await runCommand(inNetns(this.#hostNetns, [binary]), stdin, pluginEnv(command, a, this.#dirs));
    if (r.status !== 0) throw pluginError(what, plugin.type, r.status, r.stdout, r.stderr);
    return command === 'ADD' ? parseResult(what, plugin.type, r.stdout) : prev;
  }

  #find(plugin: CniPluginConf, what: string): string {
    for (const dir of this.#dirs) {
      const path = join(dir, plugin.type);
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
    throw new EngineError('not_found', `${what}: plugin ${plugin.type}: not found in ${this.#dirs.join(':')}`);
  }

  #cacheFile(network: string, a: Pick<CniAttachment, 'containerId' | 'ifName'>): string {
    return join(this.#cacheDir, `${network}-${a.containerId}-${a.ifName}.json`);
  }

  #cached(network: string, a: Pick<CniAttachment, 'containerId' | 'ifName'>): CachedAttachment | undefined {
    const file = this.#cacheFile(network, a);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as CachedAttachment : undefined;
  }
}
