// tsx tools/bench/tsd.ts [--runs 100] [--json FILE] [--sleepers 20] [--list 1000] [--list-calls 200] [--concurrent 100] [--build]
// (as root) tsd side by side with Debian's docker.io (a private dockerd) and
// podman, all started here, on one busybox image made from Debian's
// busybox-static, every container with --network none:
//  - `run --rm busybox true` end to end, interleaved: tsd's gRPC API from a
//    warm client (create, start, wait, remove) against the same four calls on
//    docker's HTTP API; `tsctl run --rm` against `docker run --rm` and
//    `podman run --rm` as a person types them. Median and p99.
//  - that no Node process is started on tsd's API path (strace of tsd).
//  - the daemons' idle memory, and each running container's added memory
//    (20 `sleep` containers: daemon growth plus the per-container process).
//  - List(all) with 1,000 created containers; 100 concurrent `run --rm`.
// Prints a table per metric with the ratios, a line per target, and writes
// JSON with --json. Everything it starts or makes is removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { engineClient, type EngineClient } from '../../e2e/lib/engine.ts';
import { startTsd, TSCTL_BIN, TSD_BIN, type Tsd } from '../../e2e/lib/tsd.ts';
import { call } from '../../packages/proto/src/index.ts';
import { makeBusyboxImage } from '../make-busybox-image.ts';
import { ensureDebianPackages, percentile, REPO } from './common.ts';
import { DockerApi } from './docker-api.ts';
import { cmdline, comm, descendants, findProcesses, mib, pssKiB, rssKiB } from './procfs.ts';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    json: { type: 'string' },
    sleepers: { type: 'string', default: '20' },
    list: { type: 'string', default: '1000' },
    'list-calls': { type: 'string', default: '200' },
    concurrent: { type: 'string', default: '100' },
    build: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const sleepers = Number(values.sleepers);
const listSize = Number(values.list);
const listCalls = Number(values['list-calls']);
const concurrent = Number(values.concurrent);

if (process.getuid?.() !== 0) throw new Error('run as root');
ensureDebianPackages(['docker.io', 'podman', 'conmon', 'runc', 'busybox-static', 'strace']);
if (values.build) spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
if (!existsSync(join(REPO, 'packages/api-gateway/dist/bin.js'))) throw new Error('tsd is not built: run npm run build first (or pass --build)');
const DOCKER = '/usr/bin/docker'; // Debian's docker.io CLI, the daemon's own version
const SHIM = join(REPO, 'runtime-shim/build/tsrun');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const x = (v: number): string => `${v.toFixed(2)}x`;
const log = (s = ''): void => void process.stdout.write(`${s}\n`);

async function pool<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

function run(argv: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env, timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.slice(0, 6).join(' ')}…: exit ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** one CLI invocation, as a person's shell runs it: fork, exec, exit; ms */
function timedCli(argv: string[], env?: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return t;
}

// ---- cleanup: everything made is undone in reverse, also on ^C ----
const cleanups: { what: string; fn: () => unknown }[] = [];
const problems: string[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.fn();
      } catch (err) {
        process.stderr.write(`cleanup (${c.what}): ${(err as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void cleanup().then(() => process.exit(130)));
}

// cgroups the engines make at the top of each hierarchy (docker/, libpod_parent/, tsd/):
// those that were not there before are removed again when empty
const CG = '/sys/fs/cgroup';
const cgroupDirs = (): string[] => readdirSync(CG).flatMap((h) => {
  try {
    return readdirSync(join(CG, h), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(CG, h, d.name));
  } catch {
    return [];
  }
});
const cgroupsBefore = new Set(cgroupDirs());
function rmdirTree(dir: string): void {
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) rmdirTree(join(dir, d.name));
  rmdirSync(dir);
}
cleanups.push({
  what: 'cgroups',
  fn: () => {
    for (const d of cgroupDirs()) {
      if (cgroupsBefore.has(d)) continue;
      try {
        rmdirTree(d);
      } catch {
        problems.push(`cgroup ${d} is not empty`);
      }
    }
  },
});

const work = mkdtempSync(join(tmpdir(), 'tsd-bench-'));
cleanups.push({ what: 'work dir', fn: () => rmSync(work, { recursive: true, force: true }) });

const results: Record<string, unknown> = {
  date: new Date().toISOString(), runs, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: loadavg(),
};

try {
  const image = join(work, 'busybox.tar');
  await makeBusyboxImage(image, 'busybox:latest');

  // ---- tsd ----
  const tsd: Tsd = await startTsd();
  cleanups.push({ what: 'tsd', fn: () => tsd.destroy() });
  const tsdPid = tsd.proc.pid!;
  // the launcher execs node, which names itself tsd (process.title)
  if (comm(tsdPid) !== 'tsd') throw new Error(`tsd's pid ${tsdPid} is ${comm(tsdPid)}, not the tsd node process`);
  const api: EngineClient = engineClient(tsd.host);
  cleanups.push({ what: 'tsd client', fn: () => api.close() });
  await api.images.importImages({ path: image, format: 'docker' });

  // ---- docker (Debian's docker.io, a private dockerd) ----
  let dockerd: PrivateDockerd;
  try {
    dockerd = await startPrivateDockerd(work, 'overlay2');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}; vfs instead\n`);
    dockerd = await startPrivateDockerd(work, 'vfs');
  }
  cleanups.push({ what: 'dockerd', fn: () => dockerd.stop() });
  const docker = [DOCKER, '-H', dockerd.host];
  run([...docker, 'load', '-q', '-i', image]);
  const dapi = new DockerApi(dockerd.host.slice('unix://'.length));
  cleanups.push({ what: 'docker client', fn: () => dapi.close() });
  cleanups.push({
    what: 'docker containers',
    fn: async () => {
      for (const c of await dapi.list(true)) await dapi.remove(c.Id, true);
    },
  });
  const containerdPids = (): number[] => descendants(dockerd.pid).filter((p) => comm(p) === 'containerd');

  // ---- podman: private root and runroot; runc (crun 1.8 refuses this host's hybrid cgroups) ----
  const podRoot = join(work, 'podman');
  const podRunroot = mkdtempSync('/run/tsrun-bp-'); // short: conmon's socket paths live below it
  const podman = ['podman', '--root', podRoot, '--runroot', podRunroot, '--tmpdir', join(podRunroot, 'tmp'), '--storage-driver', 'overlay',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
  // podman asks for nofile 1048576 and more nproc than the host's hard limits allow
  const podRun = ['run', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  cleanups.push({
    what: 'podman',
    fn: () => {
      spawnSync(podman[0]!, [...podman.slice(1), 'rm', '-af', '-t', '0'], { stdio: 'ignore' });
      spawnSync(podman[0]!, [...podman.slice(1), 'system', 'reset', '-f'], { stdio: 'ignore' });
      spawnSync('sh', ['-c', `grep -o " \\(${podRoot}\\|${podRunroot}\\)[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
      rmSync(podRunroot, { recursive: true, force: true });
      rmSync(podRoot, { recursive: true, force: true });
    },
  });
  run([...podman, 'load', '-q', '-i', image]);

  results.versions = {
    node: process.version,
    docker: run([...docker, 'version', '--format', '{{.Server.Version}}']).trim(),
    dockerStorage: dockerd.driver,
    podman: run([...podman, 'version', '--format', '{{.Client.Version}}']).trim(),
    tsctl: existsSync(TSCTL_BIN),
  };

  // ---- idle memory, fresh ----
  await sleep(2000);
  const daemonRss = () => ({
    tsd: rssKiB(tsdPid),
    tsdChildren: descendants(tsdPid).map((p) => ({ pid: p, argv0: cmdline(p)[0], rss: rssKiB(p) })),
    dockerd: rssKiB(dockerd.pid),
    containerd: containerdPids().reduce((s, p) => s + rssKiB(p), 0),
  });
  const idleFresh = daemonRss();

  // ---- the paths of `run --rm busybox true` ----
  type Path = { name: string; once: () => Promise<number> };
  const timedAsync = async (fn: () => Promise<void>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  // each API call's own time too: where the end-to-end time goes
  const STEPS = ['create', 'start', 'wait', 'remove'] as const;
  const steps = new Map<string, Record<(typeof STEPS)[number], number[]>>();
  const stepsOf = (engine: string) => steps.get(engine) ?? steps.set(engine, { create: [], start: [], wait: [], remove: [] }).get(engine)!;
  const stepped = async (engine: string, record: boolean, calls: Record<(typeof STEPS)[number], (id: string) => Promise<unknown>>): Promise<void> => {
    let id = '';
    const rec = stepsOf(engine);
    for (const step of STEPS) {
      const t = performance.now();
      const r = await calls[step](id);
      if (step === 'create') id = r as string;
      if (step === 'wait' && r !== 0) throw new Error(`${engine}: busybox true exited ${r}`);
      if (record) rec[step].push(performance.now() - t);
    }
  };
  let recordSteps = false;
  const tsdApiCycle = () => stepped('tsd API', recordSteps, {
    create: () => api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { networkMode: 'none' } }),
    start: (id) => api.start(id),
    wait: (id) => api.wait(id),
    remove: (id) => api.remove(id),
  });
  const dockerApiCycle = () => stepped('docker API', recordSteps, {
    create: () => dapi.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }),
    start: (id) => dapi.start(id),
    wait: (id) => dapi.wait(id),
    remove: (id) => dapi.remove(id),
  });
  const tsctlEnv = { ...process.env, TSD_HOST: tsd.host };
  const paths: Path[] = [
    { name: 'tsd API', once: () => timedAsync(tsdApiCycle) },
    { name: 'docker API', once: () => timedAsync(dockerApiCycle) },
  ];
  const haveTsctl = existsSync(TSCTL_BIN);
  if (haveTsctl) {
    paths.push({ name: 'tsctl run --rm', once: async () => timedCli([TSCTL_BIN, 'run', '--rm', '--network', 'none', 'busybox', 'true'], tsctlEnv) });
  }
  paths.push(
    { name: 'docker run --rm', once: async () => timedCli([...docker, 'run', '--rm', '--network', 'none', 'busybox', 'true']) },
    { name: 'podman run --rm', once: async () => timedCli([...podman, ...podRun, '--rm', 'busybox', 'true']) },
  );
  for (const p of paths) for (let i = 0; i < 3; i += 1) await p.once(); // warm-up: caches, connections, JIT
  const samples = new Map<string, number[]>(paths.map((p) => [p.name, []]));
  recordSteps = true;
  const t0 = performance.now();
  for (let i = 0; i < runs; i += 1) {
    const k = i % paths.length;
    for (const p of [...paths.slice(k), ...paths.slice(0, k)]) samples.get(p.name)!.push(await p.once());
  }
  const loopSeconds = (performance.now() - t0) / 1000;
  recordSteps = false;
  const stepMedians = Object.fromEntries([...steps].map(([engine, rec]) => [engine, Object.fromEntries(STEPS.map((st) => [st, percentile(rec[st], 50)]))]));
  results.apiStepMedians = stepMedians;
  const stat = (name: string) => {
    const s = samples.get(name);
    return s ? { median: percentile(s, 50), p99: percentile(s, 99), min: Math.min(...s), max: Math.max(...s), n: s.length } : undefined;
  };
  const runRm = Object.fromEntries(paths.map((p) => [p.name, stat(p.name)!]));
  results.runRm = runRm;
  if (await api.list(true).then((l) => l.length) !== 0 || (await dapi.list(true)).length !== 0) problems.push('containers left after the run loop');

  // ---- no Node process on tsd's API path: every exec of tsd and its descendants (its resident shim
  // server and what that forks), under strace; -v: the environment of each exec; connect: the planner
  // socket the shim's front end asks ----
  const traceFile = join(work, 'tsd.strace');
  const tids = [tsdPid, ...descendants(tsdPid)].flatMap((p) => readdirSync(`/proc/${p}/task`));
  const tracer = spawn('strace', ['-f', '-qq', '-v', '-s', '300', '-e', 'trace=execve,execveat,connect', '-o', traceFile, ...tids.flatMap((t) => ['-p', t])], { stdio: 'ignore' });
  await sleep(1000);
  const tracedRuns = 5;
  for (let i = 0; i < tracedRuns; i += 1) await tsdApiCycle();
  await sleep(300);
  tracer.kill('SIGINT');
  await new Promise((r) => (tracer.exitCode !== null ? r(null) : tracer.once('exit', r)));
  const execs = new Map<string, number>();
  const plannerSockets = new Set<string>();
  const pending = new Map<string, string>();
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    const pid = /^(\d+)\s/.exec(line)?.[1] ?? '';
    let call = line;
    if (/ execve(at)?\(/.test(line) && line.includes('<unfinished ...>')) {
      pending.set(pid, line);
      continue;
    }
    if (line.includes('resumed>')) call = pending.get(pid) ?? line;
    const connected = /connect\(\d+, \{sa_family=AF_UNIX, sun_path="([^"]*planner[^"]*)"\}/.exec(call)?.[1];
    if (connected && / = 0$/.test(line)) plannerSockets.add(connected);
    const m = /execve(?:at)?\((?:\w+, )?"([^"]*)", \["([^"]*)"/.exec(call);
    if (!m || !/\) = 0$/.test(line)) continue;
    const key = m[1] === '' ? `(fd) ${m[2]}` : m[1] === m[2] ? m[1]! : `${m[1]} (${m[2]})`;
    execs.set(key, (execs.get(key) ?? 0) + 1);
    const planner = /"TSRUN_PLANNER_SOCKET=([^"]*)"/.exec(call)?.[1];
    if (planner) plannerSockets.add(planner);
  }
  const nodeExecs = [...execs.keys()].filter((k) => /(^|\/)(node|nodejs)\b/.test(k) || k.includes(process.execPath) || /\.(c?js|mjs|ts)\b/.test(k));
  const shimExecs = [...execs.entries()].filter(([k]) => k.startsWith(SHIM)).reduce((s, [, n]) => s + n, 0);
  // the planner the shim is pointed at must be a socket that tsd itself listens on
  const tsdSocketInodes = new Set(readdirSync(`/proc/${tsdPid}/fd`).map((fd) => {
    try {
      return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${tsdPid}/fd/${fd}`))?.[1];
    } catch {
      return undefined;
    }
  }).filter((i) => i !== undefined));
  const unixSockets = readFileSync(`/proc/${tsdPid}/net/unix`, 'utf8').split('\n').map((l) => l.trim().split(/\s+/));
  const plannerServedByTsd = [...plannerSockets].map((path) => ({
    path, tsd: unixSockets.some((f) => f[7] === path && tsdSocketInodes.has(f[6]!)),
  }));
  results.apiPathExecs = { runs: tracedRuns, execs: Object.fromEntries(execs), node: nodeExecs, plannerSockets: plannerServedByTsd };

  // ---- idle memory after the runs ----
  await sleep(3000);
  const idleAfter = daemonRss();
  results.idle = { fresh: idleFresh, afterRuns: idleAfter };

  // ---- memory per running container: `sleepers` sleep containers in each engine ----
  await sleep(1000);
  const tsdBefore = rssKiB(tsdPid);
  const tsdIds = await pool(sleepers, 1, async (i) => {
    const id = await api.create({ name: `bench-sleep-${i}`, config: { image: 'busybox', cmd: ['sleep', '3600'] }, hostConfig: { networkMode: 'none' } });
    await api.start(id);
    return id;
  });
  await sleep(2000);
  const tsdGrowth = rssKiB(tsdPid) - tsdBefore;
  const monitorOf = (id: string): number => {
    const state = join(tsd.execRoot, 'runtime', id, 'state.json');
    if (existsSync(state)) {
      const pid = JSON.parse(readFileSync(state, 'utf8'))?.tsrun?.monitorPid;
      if (typeof pid === 'number' && pid > 0) return pid;
    }
    const found = findProcesses((argv) => argv.some((a) => a.includes('__monitor')) && argv.some((a) => a.includes(id)));
    if (found.length !== 1) throw new Error(`the monitor of ${id}: ${found.length} candidates`);
    return found[0]!;
  };
  const monitors = tsdIds.map(monitorOf);
  const tsdMon = { rss: monitors.reduce((s, p) => s + rssKiB(p), 0), pss: monitors.reduce((s, p) => s + pssKiB(p), 0), argv: cmdline(monitors[0]!).slice(0, 2) };
  for (const id of tsdIds) await api.remove(id, true);

  const dBefore = rssKiB(dockerd.pid) + containerdPids().reduce((s, p) => s + rssKiB(p), 0);
  const dIds = await pool(sleepers, 1, async () => {
    const id = await dapi.create({ Image: 'busybox', Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } });
    await dapi.start(id);
    return id;
  });
  await sleep(2000);
  const dGrowth = rssKiB(dockerd.pid) + containerdPids().reduce((s, p) => s + rssKiB(p), 0) - dBefore;
  const shims = findProcesses((argv) => /containerd-shim/.test(argv[0] ?? '') && dIds.some((id) => argv.includes(id)));
  if (shims.length !== sleepers) problems.push(`docker: ${shims.length} containerd shims found for ${sleepers} containers`);
  const dShim = { rss: shims.reduce((s, p) => s + rssKiB(p), 0), pss: shims.reduce((s, p) => s + pssKiB(p), 0) };
  for (const id of dIds) await dapi.remove(id, true);

  const pIds: string[] = [];
  for (let i = 0; i < sleepers; i += 1) pIds.push(run([...podman, ...podRun, '-d', 'busybox', 'sleep', '3600']).trim());
  await sleep(1000);
  const conmons = pIds.map((id) => Number(run([...podman, 'inspect', '--format', '{{.State.ConmonPid}}', id]).trim()));
  const pCon = { rss: conmons.reduce((s, p) => s + rssKiB(p), 0), pss: conmons.reduce((s, p) => s + pssKiB(p), 0) };
  run([...podman, 'rm', '-f', '-t', '0', ...pIds]);
  const perContainer = {
    tsd: { daemonGrowth: tsdGrowth, processRss: tsdMon.rss, processPss: tsdMon.pss, perContainerRss: (Math.max(0, tsdGrowth) + tsdMon.rss) / sleepers, perContainerPss: (Math.max(0, tsdGrowth) + tsdMon.pss) / sleepers, process: 'tsrun monitor' },
    docker: { daemonGrowth: dGrowth, processRss: dShim.rss, processPss: dShim.pss, perContainerRss: (Math.max(0, dGrowth) + dShim.rss) / sleepers, perContainerPss: (Math.max(0, dGrowth) + dShim.pss) / sleepers, process: 'containerd-shim-runc-v2' },
    podman: { daemonGrowth: 0, processRss: pCon.rss, processPss: pCon.pss, perContainerRss: pCon.rss / sleepers, perContainerPss: pCon.pss / sleepers, process: 'conmon' },
  };
  results.perContainer = { sleepers, ...perContainer };

  // ---- List(all) with listSize created containers: tsd's gRPC and docker's HTTP API ----
  const listing: Record<string, { create: number; p50: number; p99: number; remove: number }> = {};
  {
    let t = performance.now();
    const ids = await pool(listSize, 8, () => api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { networkMode: 'none' } }));
    const create = performance.now() - t;
    if ((await api.list(true)).length !== listSize) throw new Error('tsd: List(all) does not show every container');
    const s: number[] = [];
    for (let i = 0; i < listCalls; i += 1) s.push(await timedAsync(async () => void await api.list(true)));
    t = performance.now();
    await pool(ids.length, 8, (i) => api.remove(ids[i]!, true));
    listing['tsd API'] = { create, p50: percentile(s, 50), p99: percentile(s, 99), remove: performance.now() - t };
  }
  {
    let t = performance.now();
    const ids = await pool(listSize, 8, () => dapi.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }));
    const create = performance.now() - t;
    if ((await dapi.list(true)).length !== listSize) throw new Error('docker: GET /containers/json?all=1 does not show every container');
    const s: number[] = [];
    for (let i = 0; i < listCalls; i += 1) s.push(await timedAsync(async () => void await dapi.list(true)));
    t = performance.now();
    await pool(ids.length, 8, (i) => dapi.remove(ids[i]!, true));
    listing['docker API'] = { create, p50: percentile(s, 50), p99: percentile(s, 99), remove: performance.now() - t };
  }
  results.list = { containers: listSize, calls: listCalls, ...listing };

  // ---- concurrent run --rm: create (auto-remove), wait until removed, start ----
  const conc: Record<string, number> = {};
  conc['tsd API'] = await timedAsync(async () => {
    await Promise.all(Array.from({ length: concurrent }, async () => {
      const id = await api.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { autoRemove: true, networkMode: 'none' } });
      const waited = call<{ statusCode: number }>((cb) => api.containers.wait({ id, condition: 'removed' }, cb));
      await api.start(id);
      await waited;
    }));
  });
  if ((await api.list(true)).length !== 0) problems.push('tsd: containers left after the concurrent runs');
  conc['docker API'] = await timedAsync(async () => {
    await Promise.all(Array.from({ length: concurrent }, async () => {
      const id = await dapi.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: true } });
      const waited = dapi.wait(id, 'removed');
      await dapi.start(id);
      await waited;
    }));
  });
  if ((await dapi.list(true)).length !== 0) problems.push('docker: containers left after the concurrent runs');
  const failures: Record<string, { failed: number; firstError: string }> = {};
  const cliAll = (name: string, argv: string[], env?: NodeJS.ProcessEnv) => timedAsync(async () => {
    const outcomes = await Promise.all(Array.from({ length: concurrent }, () => new Promise<{ code: number; err: string }>((resolve) => {
      const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
      let err = '';
      c.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
      c.on('close', (code) => resolve({ code: code ?? -1, err }));
      c.on('error', (e) => resolve({ code: -1, err: e.message }));
    })));
    const bad = outcomes.filter((o) => o.code !== 0);
    if (bad.length > 0) {
      failures[name] = { failed: bad.length, firstError: bad[0]!.err.trim() };
      problems.push(`${name}: ${bad.length} of ${concurrent} concurrent runs failed (first: exit ${bad[0]!.code}, ${bad[0]!.err.trim().split('\n')[0]})`);
    }
  });
  if (haveTsctl) conc['tsctl run --rm'] = await cliAll('tsctl run --rm', [TSCTL_BIN, 'run', '--rm', '--network', 'none', 'busybox', 'true'], tsctlEnv);
  conc['docker run --rm'] = await cliAll('docker run --rm', [...docker, 'run', '--rm', '--network', 'none', 'busybox', 'true']);
  conc['podman run --rm'] = await cliAll('podman run --rm', [...podman, ...podRun, '--rm', 'busybox', 'true']);
  if ((await api.list(true)).length !== 0) problems.push('tsd: containers left after the concurrent CLI runs');
  results.concurrentFailures = failures;
  results.concurrent = { n: concurrent, ...conc };
  results.loadavgAtEnd = loadavg();

  // ---------------- the report ----------------
  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  log();
  log(`tsd vs docker ${(results.versions as { docker: string }).docker} (${dockerd.driver}, runc) vs podman ${(results.versions as { podman: string }).podman} (overlay, runc, conmon); busybox, --network none; ${cpus().length} CPUs, load average ${(results.loadavgAtStart as number[])[0]!.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end`);
  log();
  log(`1. run --rm busybox true, end to end: ${runs} runs each, interleaved (${loopSeconds.toFixed(0)} s)`);
  log(`   ${pad('', 66)}${lpad('median', 10)}${lpad('p99', 10)}${lpad('min', 9)}`);
  const pathLabel: Record<string, string> = {
    'tsd API': 'tsd API, warm gRPC client (create, start, wait, remove)',
    'docker API': 'docker API, warm HTTP client (the same four calls)',
    'tsctl run --rm': 'tsctl run --rm --network none busybox true',
    'docker run --rm': 'docker run --rm --network none busybox true',
    'podman run --rm': 'podman run --rm --network none busybox true',
  };
  for (const p of paths) {
    const s = runRm[p.name]!;
    log(`   ${pad(pathLabel[p.name]!, 66)}${lpad(ms(s.median), 10)}${lpad(ms(s.p99), 10)}${lpad(ms(s.min), 9)}`);
  }
  if (!haveTsctl) log(`   tsctl run --rm: skipped, ${TSCTL_BIN} does not exist yet`);
  const ratio = (a: string, b: string) => {
    const ra = runRm[a];
    const rb = runRm[b];
    return ra && rb ? `   ${pad(`${a} / ${b}`, 40)} median ${x(ra.median / rb.median)}   p99 ${x(ra.p99 / rb.p99)}` : undefined;
  };
  for (const line of [ratio('tsd API', 'docker API'), ratio('tsctl run --rm', 'docker run --rm'), ratio('tsctl run --rm', 'podman run --rm'), ratio('tsd API', 'docker run --rm'), ratio('tsd API', 'podman run --rm')]) if (line) log(line);
  for (const [engine, med] of Object.entries(stepMedians)) {
    log(`   ${pad(`${engine}, each call's median`, 40)} ${STEPS.map((st) => `${st} ${ms(med[st]!)}`).join(', ')}`);
  }
  log(`   programs exec'd by tsd and its descendants on the API path (strace, ${tracedRuns} runs):`);
  for (const [k, n] of execs) log(`     ${pad(k, 60)} x${n}`);
  log(`   Node processes among them: ${nodeExecs.length === 0 ? 'none' : nodeExecs.join(', ')}; the shim's planner: ${plannerServedByTsd.map((p) => `${p.path} (${p.tsd ? 'a socket of tsd itself' : 'NOT tsd\'s'})`).join(', ') || 'not named in its environment'}`);

  log();
  log('2. daemon idle memory (RSS)');
  const tsdKids = (v: typeof idleFresh) => v.tsdChildren.reduce((s, c) => s + c.rss, 0);
  log(`   ${pad('', 44)}${lpad('fresh', 12)}${lpad(`after ${runs} runs`, 16)}`);
  log(`   ${pad('tsd (one node process)', 44)}${lpad(`${mib(idleFresh.tsd)} MiB`, 12)}${lpad(`${mib(idleAfter.tsd)} MiB`, 16)}`);
  if (idleFresh.tsdChildren.length + idleAfter.tsdChildren.length > 0) {
    log(`   ${pad('  + its child processes', 44)}${lpad(`${mib(tsdKids(idleFresh))} MiB`, 12)}${lpad(`${mib(tsdKids(idleAfter))} MiB`, 16)}  (${idleAfter.tsdChildren.map((c) => c.argv0).join(', ')})`);
  }
  const dIdle = (v: typeof idleFresh) => v.dockerd + v.containerd;
  log(`   ${pad('docker (dockerd + containerd)', 44)}${lpad(`${mib(dIdle(idleFresh))} MiB`, 12)}${lpad(`${mib(dIdle(idleAfter))} MiB`, 16)}  (dockerd ${mib(idleAfter.dockerd)}, containerd ${mib(idleAfter.containerd)})`);
  log(`   ${pad('podman', 44)}${lpad('no daemon', 12)}`);
  const tsdIdle = Math.max(idleFresh.tsd + tsdKids(idleFresh), idleAfter.tsd + tsdKids(idleAfter));
  log(`   tsd / docker: fresh ${x(idleFresh.tsd / dIdle(idleFresh))}, after the runs ${x(idleAfter.tsd / dIdle(idleAfter))}`);

  log();
  log(`3. memory per running container (${sleepers} busybox sleep 3600 containers)`);
  log(`   ${pad('', 30)}${lpad('daemon growth', 15)}${lpad('process RSS', 13)}${lpad('(PSS)', 10)}${lpad('per container', 16)}${lpad('(PSS)', 11)}`);
  for (const [name, v] of Object.entries(perContainer)) {
    log(`   ${pad(`${name} (${v.process})`, 30)}${lpad(`${mib(v.daemonGrowth)} MiB`, 15)}${lpad(`${(v.processRss / sleepers).toFixed(0)} KiB`, 13)}${lpad(`${(v.processPss / sleepers).toFixed(0)} KiB`, 10)}${lpad(`${v.perContainerRss.toFixed(0)} KiB`, 16)}${lpad(`${v.perContainerPss.toFixed(0)} KiB`, 11)}`);
  }
  log('   (process: one per container, averaged; per container: (daemon growth + processes) / containers; podman has no daemon)');
  log(`   tsd / docker: ${x(perContainer.tsd.perContainerRss / perContainer.docker.perContainerRss)}   tsd / podman: ${x(perContainer.tsd.perContainerRss / perContainer.podman.perContainerRss)}`);

  log();
  log(`4. list all with ${listSize} created containers, ${listCalls} calls`);
  log(`   ${pad('', 34)}${lpad('p50', 10)}${lpad('p99', 10)}${lpad(`create ${listSize}`, 14)}${lpad(`remove ${listSize}`, 14)}`);
  for (const [name, v] of Object.entries(listing)) {
    log(`   ${pad(name === 'tsd API' ? 'tsd List(all) (gRPC)' : 'docker GET /containers/json?all=1', 34)}${lpad(ms(v.p50), 10)}${lpad(ms(v.p99), 10)}${lpad(`${(v.create / 1000).toFixed(1)} s`, 14)}${lpad(`${(v.remove / 1000).toFixed(1)} s`, 14)}`);
  }
  log(`   tsd / docker: p50 ${x(listing['tsd API']!.p50 / listing['docker API']!.p50)}, p99 ${x(listing['tsd API']!.p99 / listing['docker API']!.p99)}  (podman: no API server here, not measured)`);

  log();
  log(`5. ${concurrent} concurrent run --rm busybox true, wall time until all are done and removed`);
  for (const [name, v] of Object.entries(conc)) log(`   ${pad(name, 34)}${lpad(`${(v / 1000).toFixed(2)} s`, 10)}${failures[name] ? `   (${failures[name].failed} failed)` : ''}`);
  log(`   tsd API / docker API: ${x(conc['tsd API']! / conc['docker API']!)}${conc['tsctl run --rm'] ? `   tsctl / docker CLI: ${x(conc['tsctl run --rm'] / conc['docker run --rm']!)}   tsctl / podman: ${x(conc['tsctl run --rm'] / conc['podman run --rm']!)}` : ''}`);

  // ---- targets ----
  const targets: { target: string; figure: string; met: boolean | null }[] = [];
  const api50 = runRm['tsd API']!.median;
  const dapi50 = runRm['docker API']!.median;
  targets.push({ target: 'API run --rm (create, start, wait, remove) median <= 25 ms', figure: ms(api50), met: api50 <= 25 });
  targets.push({ target: 'API 10x faster than docker\'s API for the same calls (median)', figure: `${(dapi50 / api50).toFixed(1)}x faster`, met: dapi50 / api50 >= 10 });
  const plannerOk = plannerServedByTsd.length > 0 && plannerServedByTsd.every((p) => p.tsd);
  targets.push({
    target: 'no Node process started on the API path',
    figure: nodeExecs.length > 0 ? nodeExecs.join(', ') : `none (${[...execs.values()].reduce((a, b) => a + b, 0)} execs in ${tracedRuns} runs, ${shimExecs} of them the C shim by path; planner ${plannerOk ? 'served inside tsd' : 'NOT shown to be inside tsd'})`,
    met: nodeExecs.length === 0 && plannerOk,
  });
  if (runRm['tsctl run --rm']) {
    const r = runRm['tsctl run --rm'].median / runRm['docker run --rm']!.median;
    targets.push({ target: 'tsctl run --rm <= 0.4x docker run --rm (median)', figure: `${x(r)} (${ms(runRm['tsctl run --rm'].median)} vs ${ms(runRm['docker run --rm']!.median)})`, met: r <= 0.4 });
  } else {
    targets.push({ target: 'tsctl run --rm <= 0.4x docker run --rm (median)', figure: 'not measured: no tsctl.cjs yet', met: null });
  }
  targets.push({ target: 'tsd idle memory < 70 MiB (RSS, the larger of fresh and after the runs)', figure: `${mib(tsdIdle)} MiB`, met: tsdIdle < 70 * 1024 });
  targets.push({ target: 'each running container < 1 MiB (daemon growth + monitor RSS)', figure: `${perContainer.tsd.perContainerRss.toFixed(0)} KiB (PSS ${perContainer.tsd.perContainerPss.toFixed(0)} KiB)`, met: perContainer.tsd.perContainerRss < 1024 });
  targets.push({ target: `List(all) with ${listSize} containers p99 < 50 ms`, figure: ms(listing['tsd API']!.p99), met: listing['tsd API']!.p99 < 50 });
  targets.push({ target: `${concurrent} concurrent run --rm all done within 5 s (API)`, figure: `${(conc['tsd API']! / 1000).toFixed(2)} s`, met: conc['tsd API']! <= 5000 });
  results.targets = targets;
  log();
  log('targets');
  for (const t of targets) log(`   ${t.met === null ? 'SKIP  ' : t.met ? 'met   ' : 'MISSED'}  ${pad(t.target, 72)} ${t.figure}`);
} finally {
  await cleanup();
  const leftCgroups = cgroupDirs().filter((d) => !cgroupsBefore.has(d));
  if (leftCgroups.length > 0) problems.push(`cgroups left: ${leftCgroups.join(', ')}`);
  if (existsSync(work)) problems.push(`${work} left`);
  results.problems = problems;
  if (problems.length > 0) log(`\nproblems: ${problems.join('; ')}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}
