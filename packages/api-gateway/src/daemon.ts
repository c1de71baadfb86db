/**
 * tsd: one gRPC server hosting the runtime, image, registry and network
 * services and the engine API (the embedded default), or one service alone on
 * its own socket. The engine reaches the other services only through their
 * gRPC clients: over the daemon's private socket when they are hosted here,
 * over the addresses given with --<service>-addr when they run elsewhere.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Channel, credentials, Server, type ClientOptions } from '@grpc/grpc-js';
import { allOf, InProcessServer, inProcessChannel } from '@tsrun/proto';
import { EngineError } from '@tsrun/oci-spec';
import { addImageService, GrpcImageStore, LocalImageStore } from '@tsrun/image-store';
import { addNetworkService, BridgeNetworkManager, GrpcNetworkManager } from '@tsrun/network-manager';
import { addRegistryService, formatReference, GrpcRegistryClient, LocalRegistryClient, parseReference, UnpackingRegistryClient } from '@tsrun/registry-client';
import { addRuntimeService, detectHostCgroups, GrpcRuntime, processAlive, realHost, ShimMounter, ShimRuntime, ShimServer, startPlannerServer, type PlannerServer } from '@tsrun/runtime';
import type { Logger } from 'pino';
import type { DaemonConfig } from './config.js';
import { ContainerEngine } from './engine/containers.js';
import { EventBus } from './engine/events.js';
import { addEngineServices } from './engine/server.js';
import { VolumeStore } from './engine/volumes.js';
import { listen } from './listen.js';

export interface Daemon {
  /** the addresses clients connect to, one per --host */
  readonly addresses: string[];
  readonly engine?: ContainerEngine;
  close(): Promise<void>;
}

/** One daemon per exec root: the pid file names the one that runs. */
function claimPidFile(path: string): void {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid > 0 && pid !== process.pid && processAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === 'tsd') {
      throw new EngineError('already_exists', `another tsd (pid ${pid}) is running with this exec root (${path}): stop it, or give this one its own --exec-root and --data-root`);
    }
  } catch (err) {
    if (err instanceof EngineError) throw err;
  }
  writeFileSync(path, `${process.pid}\n`);
}

function withService<T>(client: T, add: (client: T) => void): T {
  add(client);
  return client;
}

export async function startDaemon(cfg: DaemonConfig, log: Logger): Promise<Daemon> {
  mkdirSync(cfg.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(cfg.execRoot, { recursive: true, mode: 0o711 });
  const pidFile = join(cfg.execRoot, cfg.service === 'all' ? 'tsd.pid' : `tsd-${cfg.service}.pid`);
  claimPidFile(pidFile);
  const hosts = cfg.hosts.length > 0 ? cfg.hosts : [`unix://${join(cfg.execRoot, cfg.service === 'all' ? 'tsd.sock' : `${cfg.service}.sock`)}`];
  const hosted = (s: Exclude<keyof DaemonConfig['remote'], never>): boolean => (cfg.service === 'all' ? cfg.remote[s] === undefined : cfg.service === s);
  const closers: Array<() => Promise<void> | void> = [];
  const server = new Server({ 'grpc.max_receive_message_length': 64 << 20 });
  // the services hosted here, for the engine's clients to call without a socket (proto in-process.ts)
  const local = new InProcessServer();
  const hostedHere = allOf(server, local);

  // the shim's commands (and the rootfs mounts) run in one resident `tsrun __server`, not a spawn each
  const plannerSocket = join(cfg.execRoot, 'planner.sock');
  let shim: ShimServer | undefined;
  if (hosted('runtime') || hosted('images')) {
    const started = ShimServer.start(cfg.shim, { ...process.env, TSRUN_PLANNER_SOCKET: plannerSocket });
    closers.push(() => started.close());
    shim = started;
  }
  let planner: PlannerServer | undefined;
  if (hosted('runtime')) {
    planner = await startPlannerServer({ socketPath: plannerSocket, idleMs: 0, watchFile: null, log: log.child({ component: 'planner' }) });
    closers.push(() => planner!.close().then(() => undefined));
    addRuntimeService(hostedHere, new ShimRuntime({ root: join(cfg.execRoot, 'runtime'), binary: cfg.shim, plannerSocket, server: shim }));
  }
  let engine: ContainerEngine | undefined;
  if (hosted('images') || hosted('registry')) {
    const images = await LocalImageStore.open(join(cfg.dataRoot, 'images'), {
      isInUse: (digest) => engine?.imagesInUse().has(digest) ?? false,
      normalizeName: (name) => formatReference(parseReference(name)),
      ...(shim && { mounter: new ShimMounter(shim) }),
    });
    if (hosted('images')) addImageService(hostedHere, images);
    if (hosted('registry')) {
      const registry = new LocalRegistryClient({ store: images.content, insecureRegistries: cfg.insecureRegistries });
      addRegistryService(hostedHere, new UnpackingRegistryClient(registry, images));
    }
  }
  if (hosted('network')) {
    const network = new BridgeNetworkManager({ dataDir: join(cfg.dataRoot, 'network'), defaultBridge: cfg.bridge, defaultSubnet: cfg.defaultSubnet });
    addNetworkService(hostedHere, network);
    closers.push(() => network.close());
    // `--bridge none`, as dockerd takes it: no default network, nothing made on the host
    if (cfg.bridge !== 'none') await network.init();
    try {
      const report = await network.reconcile();
      log.info({ report }, 'network reconciled');
    } catch (err) {
      log.warn({ err: String(err) }, 'network reconcile');
    }
  }

  if (cfg.service === 'all') {
    // a service that runs elsewhere is still served here, through its client: one socket for every client
    const proxies: Array<{ close(): void }> = [];
    if (cfg.remote.runtime) proxies.push(withService(new GrpcRuntime(cfg.remote.runtime), (c) => addRuntimeService(server, c)));
    if (cfg.remote.images) proxies.push(withService(new GrpcImageStore(cfg.remote.images), (c) => addImageService(server, c)));
    if (cfg.remote.registry) proxies.push(withService(new GrpcRegistryClient(cfg.remote.registry), (c) => addRegistryService(server, c)));
    if (cfg.remote.network) proxies.push(withService(new GrpcNetworkManager(cfg.remote.network), (c) => addNetworkService(server, c)));
    closers.push(() => { for (const p of proxies) p.close(); });
  }

  let internal: string | undefined;
  if (cfg.service === 'all') {
    const events = new EventBus();
    const volumes = new VolumeStore(join(cfg.dataRoot, 'volumes'));
    // the services hosted here are reached through their clients too, over a socket only root can open
    internal = await listen(server, `unix://${join(cfg.execRoot, 'services.sock')}`, { mode: 0o600 });
    const addr = (s: keyof DaemonConfig['remote']): string => cfg.remote[s] ?? internal!;
    // a hosted service is called in this process; streams in both directions still take the socket
    const via = (s: keyof DaemonConfig['remote']): ClientOptions => (cfg.remote[s] !== undefined ? {} : {
      channelOverride: inProcessChannel(local, internal!, () => new Channel(internal!, credentials.createInsecure(), {})),
    });
    const insecure = credentials.createInsecure();
    const runtime = new GrpcRuntime(addr('runtime'), insecure, via('runtime'));
    const imageClient = new GrpcImageStore(addr('images'), insecure, via('images'));
    const networkClient = new GrpcNetworkManager(addr('network'), insecure, via('network'));
    closers.push(() => { runtime.close(); imageClient.close(); networkClient.close(); });
    engine = new ContainerEngine(
      { runtime, images: imageClient, network: networkClient, volumes, events, log: log.child({ component: 'engine' }) },
      { root: join(cfg.dataRoot, 'containers'), logMaxSize: cfg.logMaxSize, logMaxFiles: cfg.logMaxFiles },
    );
    const cgroups = detectHostCgroups(realHost);
    addEngineServices(server, {
      engine, runtime, images: imageClient, volumes, events,
      info: { dataRoot: cfg.dataRoot, insecureRegistries: cfg.insecureRegistries, debug: cfg.debug, cgroupVersion: String(cgroups.layout.version ?? '') },
    });
  }
  // clients connect once the containers are reconciled, so that none sees a state from before the restart
  if (engine) {
    await engine.restore();
    log.info({ containers: engine.store.all().length }, 'containers restored');
  }
  const addresses: string[] = [];
  for (const host of hosts) addresses.push(await listen(server, host, { group: cfg.group, ...(cfg.tls && { tls: cfg.tls }) }));
  log.info({ addresses, service: cfg.service, dataRoot: cfg.dataRoot }, 'tsd ready');

  return {
    addresses,
    ...(engine && { engine }),
    async close() {
      await engine?.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      for (const c of closers.reverse()) await c();
      for (const a of [...addresses, ...(internal ? [internal] : [])]) {
        if (a.startsWith('unix://') && existsSync(a.slice(7))) unlinkSync(a.slice(7));
      }
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(pidFile);
      } catch {
        // already gone
      }
    },
  };
}
