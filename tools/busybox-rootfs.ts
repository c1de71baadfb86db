// Builds a small root filesystem from Debian's busybox-static: the test and
// demo image of this repo (no public registry is reachable here).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = process.env.TSRUN_BUSYBOX ?? '/bin/busybox';

const DIRS = ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root', 'home/user', 'var/run', 'run', 'mnt'];

export function makeBusyboxRootfs(rootfs: string): void {
  if (!existsSync(BUSYBOX)) {
    throw new Error(`busybox: ${BUSYBOX} is missing: install Debian's busybox-static (apt-get install busybox-static)`);
  }
  for (const d of DIRS) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'busybox') continue;
    const link = join(rootfs, 'bin', applet);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
  writeFileSync(join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\ntty:x:5:\nuser:x:1000:\nnogroup:x:65534:\n');
  writeFileSync(join(rootfs, 'etc/hostname'), 'busybox\n');
}
