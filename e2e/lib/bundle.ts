// Private bundles for e2e tests: a fresh copy of the busybox rootfs per container
// (containers never run against shared or host files) and a config built from
// the runtime's own `spec` output.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBusyboxRootfs } from '../../tools/busybox-rootfs.ts';
import { RUNTIME_BIN } from './runtime.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Spec = any;

let base: { rootfs: string; config: Spec } | undefined;

function baseBundle(): { rootfs: string; config: Spec } {
  if (base) return base;
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-base-'));
  makeBusyboxRootfs(join(dir, 'rootfs'));
  execFileSync(RUNTIME_BIN, ['spec', '--bundle', dir]);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  base = { rootfs: join(dir, 'rootfs'), config };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return base;
}

let counter = 0;
export function uniqueId(prefix = 'c'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export interface Bundle { dir: string; id: string; config: Spec; remove(): void }

/** A bundle whose process runs `args`, with cgroupsPath /tsrun-e2e/<id>; `edit` changes the config further. */
export function makeBundle(args: string[], edit: (config: Spec, dir: string) => void = () => {}): Bundle {
  const b = baseBundle();
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-'));
  cpSync(b.rootfs, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  const config = structuredClone(b.config);
  const id = uniqueId();
  config.process.terminal = false;
  config.process.args = args;
  config.linux.cgroupsPath = `/tsrun-e2e/${id}`;
  edit(config, dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return { dir, id, config, remove: () => removeBundle(dir) };
}

/** A runtime that leaves mounts on the rootfs (runc does, without a mount
 * namespace) must not make the removal descend into the host's /proc or /sys. */
function removeBundle(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  for (const point of mounts.reverse()) spawnSync('umount', ['-l', point]);
  rmSync(dir, { recursive: true, force: true });
}
