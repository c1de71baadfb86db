// Run a container on a root filesystem prepared elsewhere (an image store's
// overlay mount), with a bundle made in workDir from the runtime's own spec.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rt, type RunResult, RUNTIME_BIN } from './runtime.ts';

export function runOnRootfs(workDir: string, rootfs: string, id: string, args: string[]): RunResult {
  const bundle = join(workDir, `bundle-${id}`);
  mkdirSync(bundle);
  execFileSync(RUNTIME_BIN, ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  spec.root = { path: rootfs, readonly: false };
  spec.process.terminal = false;
  spec.process.args = args;
  spec.linux.cgroupsPath = `/tsrun-e2e/${id}-${process.pid}`;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
  return rt(['run', '--bundle', bundle, `${id}-${process.pid}`]);
}
