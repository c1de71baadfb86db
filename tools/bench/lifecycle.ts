// tsx tools/bench/lifecycle.ts [--runs N]
// The container lifecycle as containerd drives it — create, start, state until
// stopped, delete — of busybox /bin/true, for tsrun, Debian's runc and crun,
// interleaved in one run. Reports median and p99 per runtime and the ratios.
// Also the resident memory of tsrun's monitor while a container runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeBusyboxRootfs } from '../busybox-rootfs.ts';
import { ensureDebianPackages, percentile, REPO } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' } } });
const runs = Number(values.runs);
ensureDebianPackages(['runc', 'crun']);

const tsrun = process.env.TSRUN_BIN ?? join(REPO, 'runtime-shim/build/tsrun');
const work = mkdtempSync(join(tmpdir(), 'tsrun-bench-'));
const bundle = join(work, 'bundle');
makeBusyboxRootfs(join(bundle, 'rootfs'));
execFileSync(tsrun, ['spec', '--bundle', bundle]);
const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
config.process.terminal = false;
config.process.args = ['/bin/true'];
config.ociVersion = '1.0.2'; // crun 1.8 refuses newer versions; the same config for all three
writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));

// crun 1.8 refuses this host's hybrid layout while the empty cgroup2 mount is
// visible: it runs in a private mount namespace where that mount is hidden.
const hider = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'umount /sys/fs/cgroup/unified; exec sleep 100000'], { stdio: 'ignore' });

// The timing is taken inside the shell, around the runtime commands only.
const script = `
rt="$1"; root="$2"; id="$3"
t0=$(date +%s%N)
$rt --root "$root" create --bundle "${bundle}" "$id" >/dev/null || exit 1
$rt --root "$root" start "$id" || exit 1
while :; do case $($rt --root "$root" state "$id") in *'"stopped"'*) break;; esac; done
$rt --root "$root" delete "$id" || exit 1
t1=$(date +%s%N)
echo $(( (t1 - t0) / 1000 ))
`;
writeFileSync(join(work, 'cycle.sh'), script);

type Runtime = { name: string; bin: string; prefix: string[] };
const runtimes: Runtime[] = [
  { name: 'tsrun', bin: tsrun, prefix: [] },
  { name: 'runc', bin: '/usr/sbin/runc', prefix: [] },
  { name: 'crun', bin: '/usr/bin/crun', prefix: ['nsenter', `--mount=/proc/${hider.pid}/ns/mnt`, '--'] },
];
const samples = new Map<string, number[]>(runtimes.map((r) => [r.name, []]));

function cycle(r: Runtime, i: number): number {
  const root = join(work, `root-${r.name}`);
  const argv = [...r.prefix, 'sh', join(work, 'cycle.sh'), r.bin, root, `bench-${i}`];
  const out = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${r.name}: lifecycle failed: ${out.stderr}`);
  return Number(out.stdout.trim()) / 1000;
}

try {
  await new Promise((r) => setTimeout(r, 200));
  for (const r of runtimes) cycle(r, -1); // warm-up (tsrun starts its planner here)
  for (let i = 0; i < runs; i += 1) {
    const order = [...runtimes.slice(i % 3), ...runtimes.slice(0, i % 3)];
    for (const r of order) samples.get(r.name)!.push(cycle(r, i));
  }
  const stats = runtimes.map((r) => {
    const s = samples.get(r.name)!;
    return { name: r.name, median: percentile(s, 50), p99: percentile(s, 99) };
  });
  const tsr = stats[0];
  console.log(`lifecycle of busybox /bin/true (create, start, state until stopped, delete), ${runs} runs each, interleaved`);
  for (const s of stats) {
    const ratio = s.name === 'tsrun' ? '' : `   tsrun/${s.name}: median ${(tsr.median / s.median).toFixed(2)}x, p99 ${(tsr.p99 / s.p99).toFixed(2)}x`;
    console.log(`  ${s.name.padEnd(6)} median ${s.median.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms${ratio}`);
  }
  console.log(monitorMemory());
} finally {
  hider.kill();
  rmSync(work, { recursive: true, force: true });
}

function monitorMemory(): string {
  const root = join(work, 'root-mem');
  const id = 'bench-mem';
  const cfg = { ...config, process: { ...config.process, args: ['sleep', '30'] } };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(cfg));
  // stdio ignored: the detached container keeps what it is given, and a pipe would hold us
  execFileSync(tsrun, ['--root', root, 'run', '--detach', '--bundle', bundle, id], { stdio: 'ignore' });
  try {
    const st = JSON.parse(execFileSync(tsrun, ['--root', root, 'state', id], { encoding: 'utf8' }));
    const raw = JSON.parse(readFileSync(join(root, id, 'state.json'), 'utf8'));
    const mon = raw.tsrun.monitorPid;
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${mon}/status`, 'utf8'))?.[1];
    const pss = /Pss:\s+(\d+)/.exec(readFileSync(`/proc/${mon}/smaps_rollup`, 'utf8'))?.[1];
    return `tsrun monitor of a running container (pid ${st.pid}): RSS ${rss} KiB, PSS ${pss} KiB (target: RSS <= 1024 KiB)`;
  } finally {
    execFileSync(tsrun, ['--root', root, 'delete', '--force', id]);
  }
}
