#!/usr/bin/env node
/**
 * `tsd`: parses dockerd-style flags and runs the daemon until SIGTERM/SIGINT.
 * Containers keep running when it stops (live restore).
 */
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { exitCodeOf } from '@tsrun/oci-spec';
import { defaultConfig, type DaemonConfig } from './config.js';
import { startDaemon } from './daemon.js';

const VERSION = '0.1.0';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function size(flag: string) {
  return (value: string): number => {
    const m = /^(\d+)([kmg]?)b?$/i.exec(value.trim());
    if (!m) throw new Error(`${flag} ${JSON.stringify(value)}: want a size such as 10m`);
    return Number(m[1]) * 1024 ** ['', 'k', 'm', 'g'].indexOf((m[2] ?? '').toLowerCase());
  };
}

export async function main(argv: string[]): Promise<void> {
  // `tsd` in ps and /proc/<pid>/cmdline (the pid file's check), whatever launched the script
  process.title = 'tsd';
  const d = defaultConfig();
  const program = new Command('tsd')
    .description('the tsrun engine daemon: containers, images, registries and networks over gRPC')
    .version(VERSION, '-v, --version')
    .option('--data-root <dir>', 'root directory of persistent state', d.dataRoot)
    .option('--exec-root <dir>', 'root directory of execution state (sockets, runtime state)', d.execRoot)
    .option('-H, --host <address>', 'daemon socket to listen on: unix:///path or tcp://host:port (repeatable)', collect, [])
    .option('--insecure-registry <host:port>', 'registry spoken to over plain HTTP (repeatable)', collect, [])
    .option('-D, --debug', 'debug logging', false)
    .option('-G, --group <name>', 'group allowed on the unix sockets', d.group)
    .option('--tlscacert <file>', 'trust client certificates signed by this CA')
    .option('--tlscert <file>', 'the server certificate')
    .option('--tlskey <file>', 'the server key')
    .option('-b, --bridge <name>', 'bridge of the default network (none: no default network)', d.bridge)
    .option('--default-subnet <cidr>', 'subnet of the default network', d.defaultSubnet)
    .option('--log-max-size <size>', 'container log size before rotation (0: never)', size('--log-max-size'), d.logMaxSize)
    .option('--log-max-files <n>', 'container log files kept', (v) => Number(v), d.logMaxFiles)
    .addOption(new Option('--service <name>', 'run one service alone on its own socket').choices(['all', 'runtime', 'images', 'registry', 'network']).default('all'))
    .option('--runtime-addr <address>', 'use the runtime service at this address instead of hosting it')
    .option('--images-addr <address>', 'use the image service at this address instead of hosting it')
    .option('--registry-addr <address>', 'use the registry service at this address instead of hosting it')
    .option('--network-addr <address>', 'use the network service at this address instead of hosting it')
    .option('--shim <path>', 'the tsrun shim binary', d.shim)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `tsd: ${s.slice(7)}` : s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode ?? 1;
    process.exit(code === 0 ? 0 : 125);
  }
  const o = program.opts<Record<string, unknown>>();
  const tlsGiven = [o.tlscacert, o.tlscert, o.tlskey].filter((v) => v !== undefined).length;
  if (tlsGiven > 0 && tlsGiven < 3) {
    process.stderr.write('tsd: --tlscacert, --tlscert and --tlskey go together\n');
    process.exit(125);
  }
  const remote: DaemonConfig['remote'] = {};
  for (const s of ['runtime', 'images', 'registry', 'network'] as const) {
    const v = o[`${s}Addr`];
    if (typeof v === 'string') remote[s] = v.replace(/^unix:\/\//, 'unix://');
  }
  const cfg: DaemonConfig = {
    ...d,
    dataRoot: o.dataRoot as string, execRoot: o.execRoot as string, hosts: o.host as string[],
    insecureRegistries: o.insecureRegistry as string[], debug: o.debug as boolean, group: o.group as string,
    ...(tlsGiven === 3 && { tls: { ca: o.tlscacert as string, cert: o.tlscert as string, key: o.tlskey as string } }),
    bridge: o.bridge as string, defaultSubnet: o.defaultSubnet as string, logMaxSize: o.logMaxSize as number,
    logMaxFiles: o.logMaxFiles as number, service: o.service as DaemonConfig['service'], remote, shim: o.shim as string,
  };
  const log = pino({ name: 'tsd', level: cfg.debug ? 'debug' : 'info' });
  let daemon;
  try {
    daemon = await startDaemon(cfg, log);
  } catch (err) {
    process.stderr.write(`tsd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping; containers keep running');
    void daemon.close().then(() => process.exit(0), (err: unknown) => {
      log.error({ err: String(err) }, 'stop');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main(process.argv.slice(2));
