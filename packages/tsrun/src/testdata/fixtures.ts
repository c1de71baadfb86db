/** Shared test fixtures: the runc default spec, host cgroup layouts and temporary bundles. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeHost } from './fake-host.js';

const here = (name: string): string => new URL(`./${name}`, import.meta.url).pathname;

/** `runc spec` (runc 1.1.5) output. */
// Loosely typed: tests edit the spec freely, including into invalid shapes.
export const runcSpec = (): any => JSON.parse(readFileSync(here('runc-spec.json'), 'utf8'));

export const MOUNTINFO_HYBRID = readFileSync(here('mountinfo-hybrid.txt'), 'utf8');
export const MOUNTINFO_V2 = readFileSync(here('mountinfo-v2.txt'), 'utf8');

/** A Debian-style v1 layout: co-mounted cpu,cpuacct and net_cls,net_prio, hugetlb present. */
export const MOUNTINFO_V1_FULL = [
  '25 19 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755',
  '27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,xattr,name=systemd',
  '30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct',
  '31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory',
  '32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio',
  '33 25 0:30 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,hugetlb',
  '34 25 0:31 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpuset',
  '35 25 0:32 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,devices',
  '36 25 0:33 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,freezer',
  '37 25 0:34 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,blkio',
  '38 25 0:35 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,pids',
  '',
].join('\n');

export const PROC_SELF_CGROUP_HYBRID = '9:name=systemd:/\n8:pids:/\n4:memory:/runner/job7\n3:cpuset:/\n1:cpu:/\n0::/\n';

/** The hybrid host this project runs on, as fixture files. */
export function hybridHost(extra: Record<string, string> = {}) {
  return fakeHost({
    '/proc/self/mountinfo': MOUNTINFO_HYBRID,
    '/proc/self/cgroup': PROC_SELF_CGROUP_HYBRID,
    '/sys/fs/cgroup/cpuset/cpuset.cpus': '0-3\n',
    '/sys/fs/cgroup/cpuset/cpuset.mems': '0\n',
    '/sys/fs/cgroup/blkio/blkio.weight': '500\n',
    ...extra,
  });
}

export function v2Host(extra: Record<string, string> = {}) {
  return fakeHost({
    '/proc/self/mountinfo': MOUNTINFO_V2,
    '/proc/self/cgroup': '0::/user.slice/session-1.scope\n',
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
    '/sys/fs/cgroup/cgroup.subtree_control': 'cpu memory pids\n',
    ...extra,
  });
}

/** A temporary bundle with rootfs/, a data/ directory and a file to bind. */
export function tempBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-bundle-'));
  mkdirSync(join(dir, 'rootfs'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n');
  return dir;
}
