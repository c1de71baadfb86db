/**
 * The bundle's stand-in for `./dispatch.js` (esbuild.config.mjs): loads tsctl-commands.cjs,
 * which sits beside the entry, with a V8 code cache, because compiling that 1 MB script
 * on every start costs more than running it. The cache is named after the script's
 * digest and node's version, and used only when the script ends with that digest, so a
 * rebuilt bundle or another node never meets an old one (V8 itself checks little more
 * than the source's length). It is written once, at the exit of a run that found none,
 * and only by runs without node flags, since V8 refuses a cache made under other flags.
 * A cache that cannot be read or written only costs the compile.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type * as Dispatch from './dispatch.js';

/** The start of tsctl-commands.cjs's sha256, which its last line repeats (esbuild.config.mjs). */
declare const __TSCTL_COMMANDS_DIGEST__: string;

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function writeCache(path: string, script: Script): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
  } catch {
    // a directory this user cannot write (an installed tsctl run without root): no cache
  }
}

function load(): typeof Dispatch {
  const file = join(__dirname, 'tsctl-commands.cjs');
  const source = readFileSync(file, 'utf8');
  const sameBuild = source.endsWith(`//# tsctl-commands ${__TSCTL_COMMANDS_DIGEST__}\n`);
  const cachePath = join(__dirname, `tsctl-commands-${__TSCTL_COMMANDS_DIGEST__}-node${process.version}.v8cache`);
  const cachedData = sameBuild ? readCache(cachePath) : undefined;
  // node's own CommonJS wrapper, on the same line as the code so that stack traces keep their line numbers
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as typeof Dispatch };
  script.runInThisContext()(module.exports, createRequire(file), module, file, __dirname);
  const plainNode = process.execArgv.length === 0 && !process.env['NODE_OPTIONS'];
  if (sameBuild && plainNode && (cachedData === undefined || script.cachedDataRejected)) process.once('exit', () => writeCache(cachePath, script));
  return module.exports;
}

export const { dispatch } = load();
