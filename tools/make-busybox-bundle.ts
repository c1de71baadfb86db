// tsx tools/make-busybox-bundle.ts DIR [ARG...]
// An OCI bundle from Debian's busybox-static: DIR/rootfs and DIR/config.json
// (from `tsrun spec`, with terminal off and the given args, default `sh`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeBusyboxRootfs } from './busybox-rootfs.ts';

const [dirArg, ...args] = process.argv.slice(2);
if (!dirArg) {
  process.stderr.write('usage: make-busybox-bundle DIR [ARG...]\n');
  process.exit(2);
}
const dir = resolve(dirArg);
const tsrun = process.env.TSRUN_BIN ?? 'tsrun';
makeBusyboxRootfs(join(dir, 'rootfs'));
const configPath = join(dir, 'config.json');
if (existsSync(configPath)) rmSync(configPath);
execFileSync(tsrun, ['spec', '--bundle', dir], { stdio: 'inherit' });
const config = JSON.parse(readFileSync(configPath, 'utf8'));
config.process.terminal = false;
config.process.args = args.length > 0 ? args : ['sh'];
writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
process.stdout.write(`bundle ready: ${dir}\n`);
