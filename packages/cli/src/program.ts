/**
 * The command line: docker's commands and flags, parsed by commander. The actions
 * run in dispatch.ts, which this module loads only when a command runs, so that
 * `tsctl --version` and `--help` load neither gRPC nor any command (the bundle
 * keeps dispatch and everything under it in a second file).
 */
import { Command, type CommanderError } from 'commander';
import type { ConnectionFlags } from './client/address.js';
import type { CliIo, Status } from './context.js';
import type { CommandName } from './dispatch.js';
import { TSCTL_VERSION } from './version.js';

export { USAGE_STATUS } from './usage-status.js';

const many = (value: string, previous: string[]): string[] => [...previous, value];

/** run and create share every flag but the ones about attaching. */
function containerFlags(cmd: Command): Command {
  return cmd
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (KEY alone: its value here)', many, [])
    .option('--env-file <file>', 'read environment variables from a file', many, [])
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--name <name>', 'assign a name to the container')
    .option('-p, --publish <[ip:]host:container[/proto]>', "publish a container's port(s) to the host", many, [])
    .option('-v, --volume <[source:]target[:ro|rw]>', 'bind mount a path or mount a volume', many, [])
    .option('--mount <spec>', 'attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly)', many, [])
    .option('--network <network>', 'connect the container to a network (bridge, none, host, or a name)')
    .option('-m, --memory <bytes>', 'memory limit (64m, 1g)')
    .option('--cpus <number>', 'number of CPUs (1.5)')
    .option('--pids-limit <n>', 'tune the pids limit (-1 for unlimited)')
    .option('-u, --user <name|uid[:gid]>', 'username or UID')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <command>', 'overwrite the image\'s entrypoint ("" clears it)')
    .option('--restart <policy>', 'restart policy: no, always, unless-stopped, on-failure[:N]')
    .option('-h, --hostname <name>', 'container host name')
    .option('--read-only', "mount the container's root filesystem as read only")
    .option('--cap-add <cap>', 'add a Linux capability', many, [])
    .option('--cap-drop <cap>', 'drop a Linux capability', many, [])
    .option('--privileged', 'give extended privileges to this container')
    .option('--tmpfs <path[:options]>', 'mount a tmpfs directory', many, [])
    .option('-l, --label <key=value>', 'set metadata on a container', many, [])
    .option('--stop-signal <signal>', 'signal to stop the container')
    .option('--stop-timeout <seconds>', 'timeout to stop the container')
    .helpOption('--help', 'print usage');
}

export interface ProgramState {
  status: Status;
}

/** Builds the program; each action hands its arguments and options to dispatch, loaded on first use. */
export function buildProgram(io: CliIo, state: ProgramState): Command {
  const program = new Command('tsctl');
  const act = (name: CommandName) => async (...args: unknown[]): Promise<void> => {
    const cmd = args.pop() as Command;
    const { dispatch } = await import('./dispatch.js');
    state.status = await dispatch(name, io, cmd.optsWithGlobals() as ConnectionFlags, args);
  };
  program
    .description("tsctl: docker's commands for tsd, the tsrun engine")
    .usage('[OPTIONS] COMMAND')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => { io.stdout.write(s); },
      writeErr: (s) => { io.stderr.write(s); },
      outputError: () => {},
    })
    .version(`tsctl version ${TSCTL_VERSION}`, '-v, --version', 'print version information and quit')
    .helpOption('--help', 'print usage')
    .option('-H, --host <address>', 'daemon socket to connect to (unix:///path or tcp://host:port; env TSD_HOST)')
    .option('--tlscacert <file>', 'trust certs signed only by this CA (default $TSD_CERT_PATH/ca.pem)')
    .option('--tlscert <file>', 'TLS certificate file (default $TSD_CERT_PATH/cert.pem)')
    .option('--tlskey <file>', 'TLS key file (default $TSD_CERT_PATH/key.pem)');

  const run = containerFlags(program.command('run').description('create and run a new container from an image'))
    .argument('<image>').argument('[command...]')
    .option('-d, --detach', 'run the container in the background and print its id')
    .option('--rm', 'automatically remove the container when it exits')
    .option('--sig-proxy [bool]', 'proxy received signals to the process (non-TTY only)', true)
    .passThroughOptions();
  run.action(act('run'));
  containerFlags(program.command('create').description('create a new container'))
    .argument('<image>').argument('[command...]')
    .option('--rm', 'automatically remove the container when it exits')
    .passThroughOptions()
    .action(act('create'));
  program.command('start').description('start one or more stopped containers').argument('<container...>')
    .option('-a, --attach', 'attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "attach the container's STDIN")
    .action(act('start'));
  program.command('attach').description("attach local standard input, output, and error streams to a running container").argument('<container>')
    .option('--no-stdin', 'do not attach STDIN')
    .option('--sig-proxy [bool]', 'proxy all received signals to the process', true)
    .action(act('attach'));
  program.command('stop').description('stop one or more running containers').argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .option('-s, --signal <signal>', 'signal to send to the container')
    .action(act('stop'));
  program.command('restart').description('restart one or more containers').argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .action(act('restart'));
  program.command('kill').description('kill one or more running containers').argument('<container...>')
    .option('-s, --signal <signal>', 'signal to send to the container (default KILL)')
    .action(act('kill'));
  program.command('rm').description('remove one or more containers').argument('<container...>')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .action(act('rm'));
  program.command('pause').description('pause all processes within one or more containers').argument('<container...>')
    .action(act('pause'));
  program.command('unpause').description('unpause all processes within one or more containers').argument('<container...>')
    .action(act('unpause'));
  program.command('wait').description('block until one or more containers stop, then print their exit codes').argument('<container...>')
    .action(act('wait'));
  program.command('rename').description('rename a container').argument('<container>').argument('<new-name>')
    .action(act('rename'));
  program.command('update').description('update configuration of one or more containers').argument('<container...>')
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--cpus <number>', 'number of CPUs')
    .option('--pids-limit <n>', 'tune the pids limit (-1 for unlimited)')
    .option('--restart <policy>', 'restart policy to apply when a container exits')
    .action(act('update'));
  program.command('ps').description('list containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container IDs')
    .option('-f, --filter <key=value>', 'filter output based on conditions provided', many, [])
    .option('--no-trunc', "don't truncate output")
    .option('-n, --last <n>', 'show n last created containers (includes all states)')
    .option('-l, --latest', 'show the latest created container (includes all states)')
    .option('--format <format>', "format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template")
    .action(act('ps'));
  program.command('logs').description('fetch the logs of a container').argument('<container>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <n>', 'number of lines to show from the end of the logs ("all" or a number)', 'all')
    .option('--since <time>', 'show logs since a timestamp (2026-01-02T13:23:37Z) or relative (42m)')
    .option('--until <time>', 'show logs before a timestamp or relative time')
    .option('-t, --timestamps', 'show timestamps')
    .action(act('logs'));
  program.command('exec').description('execute a command in a running container').argument('<container>').argument('<command...>')
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-d, --detach', 'detached mode: run command in the background')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', many, [])
    .option('-u, --user <name|uid[:gid]>', 'username or UID')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--privileged', 'give extended privileges to the command')
    .passThroughOptions()
    .action(act('exec'));
  program.command('inspect').description('return low-level information on objects').argument('<name...>')
    .option('-f, --format <template>', 'format output using a Go template')
    .option('--type <type>', 'only inspect objects of the given type (container, image, network, volume)')
    .action(act('inspect'));
  program.command('top').description('display the running processes of a container').argument('<container>').argument('[ps-options...]')
    .passThroughOptions()
    .action(act('top'));
  program.command('stats').description("display a live stream of containers' resource usage").argument('[container...]')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--no-stream', 'print one result and exit')
    .option('--no-trunc', "don't truncate output")
    .option('--format <format>', 'format output using a custom template')
    .action(act('stats'));
  program.command('commit').description("create a new image from a container's changes").argument('<container>').argument('[repository[:tag]]')
    .option('-a, --author <author>', 'author (e.g. "Jane Doe <jane@example.com>")')
    .option('-m, --message <message>', 'commit message')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction to the created image', many, [])
    .option('-p, --pause [bool]', 'pause the container during commit', true)
    .action(act('commit'));
  program.command('pull').description('download an image from a registry').argument('<name>')
    .option('--platform <os/arch[/variant]>', 'set platform if server is multi-platform capable')
    .option('-q, --quiet', 'suppress verbose output')
    .action(act('pull'));
  program.command('push').description('upload an image to a registry').argument('<name>')
    .option('-q, --quiet', 'suppress verbose output')
    .action(act('push'));
  program.command('images').description('list images').argument('[repository[:tag]]')
    .option('-a, --all', 'show all images')
    .option('-q, --quiet', 'only show image IDs')
    .option('--no-trunc', "don't truncate output")
    .option('--digests', 'show digests')
    .option('--format <format>', 'format output using a custom template')
    .action(act('images'));
  program.command('rmi').description('remove one or more images').argument('<image...>')
    .option('-f, --force', 'force removal of the image')
    .action(act('rmi'));
  program.command('tag').description('create a tag TARGET_IMAGE that refers to SOURCE_IMAGE').argument('<source>').argument('<target>')
    .action(act('tag'));
  program.command('save').description('save one or more images to a tar archive').argument('<image...>')
    .option('-o, --output <file>', 'write to a file (the daemon writes it)')
    .option('--format <format>', 'docker (a docker save tarball) or oci (an OCI image layout directory)', 'docker')
    .option('--platform <os/arch[/variant]>', 'the platform to save from a multi-platform image')
    .action(act('save'));
  program.command('load').description('load an image from a tar archive or an OCI layout')
    .option('-i, --input <path>', 'read from a tar archive or an OCI layout directory instead of STDIN')
    .option('-q, --quiet', 'suppress the load output')
    .action(act('load'));
  program.command('login').description('log in to a registry').argument('[server]')
    .option('-u, --username <name>', 'username')
    .option('-p, --password <password>', 'password')
    .option('--password-stdin', 'take the password from stdin')
    .action(act('login'));
  program.command('logout').description('log out from a registry').argument('[server]')
    .action(act('logout'));

  const network = program.command('network').description('manage networks');
  network.command('create').argument('<network>').description('create a network')
    .option('-d, --driver <driver>', 'driver to manage the network', 'bridge')
    .option('--subnet <cidr>', 'subnet in CIDR format')
    .option('--gateway <ip>', 'IPv4 gateway for the subnet')
    .option('--mtu <bytes>', 'MTU of the bridge')
    .action(act('networkCreate'));
  network.command('ls').alias('list').description('list networks')
    .option('-q, --quiet', 'only display network IDs')
    .option('--no-trunc', "don't truncate output")
    .option('-f, --filter <key=value>', 'filter output (name, id, driver)', many, [])
    .option('--format <format>', 'format output using a custom template')
    .action(act('networkLs'));
  network.command('inspect').argument('<network...>').description('display detailed information on one or more networks')
    .option('-f, --format <template>', 'format output using a Go template')
    .action(act('networkInspect'));
  network.command('rm').alias('remove').argument('<network...>').description('remove one or more networks')
    .action(act('networkRm'));
  network.command('connect').argument('<network>').argument('<container>').description('connect a container to a network')
    .option('--alias <alias>', 'add a network-scoped alias for the container', many, [])
    .option('--ip <address>', 'IPv4 address')
    .action(act('networkConnect'));
  network.command('disconnect').argument('<network>').argument('<container>').description('disconnect a container from a network')
    .option('-f, --force', 'force the container to disconnect from a network')
    .action(act('networkDisconnect'));
  network.command('prune').description('remove all unused networks')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(act('networkPrune'));

  const volume = program.command('volume').description('manage volumes');
  volume.command('create').argument('[volume]').description('create a volume')
    .option('-d, --driver <driver>', 'volume driver name', 'local')
    .option('--label <key=value>', 'set metadata for a volume', many, [])
    .action(act('volumeCreate'));
  volume.command('ls').alias('list').description('list volumes')
    .option('-q, --quiet', 'only display volume names')
    .option('-f, --filter <key=value>', 'filter output (dangling, driver, label, name)', many, [])
    .option('--format <format>', 'format output using a custom template')
    .action(act('volumeLs'));
  volume.command('inspect').argument('<volume...>').description('display detailed information on one or more volumes')
    .option('-f, --format <template>', 'format output using a Go template')
    .action(act('volumeInspect'));
  volume.command('rm').alias('remove').argument('<volume...>').description('remove one or more volumes')
    .option('-f, --force', 'force the removal of one or more volumes')
    .action(act('volumeRm'));
  volume.command('prune').description('remove unused local volumes')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(act('volumePrune'));

  const system = program.command('system').description('manage tsd');
  system.command('df').description('show tsd disk usage')
    .option('--format <format>', 'format output using a custom template')
    .action(act('df'));
  system.command('prune').description('remove unused data')
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('--volumes', 'prune volumes')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(act('prune'));
  system.command('info').description('display system-wide information')
    .option('-f, --format <template>', 'format output using a Go template')
    .action(act('info'));
  system.command('events').description('get real time events from the server')
    .option('--since <time>', 'show all events created since timestamp')
    .option('--until <time>', 'stream events until this timestamp')
    .option('-f, --filter <key=value>', 'filter output based on conditions provided', many, [])
    .option('--format <format>', "format output using a Go template or 'json'")
    .action(act('events'));
  program.command('info').description('display system-wide information')
    .option('-f, --format <template>', 'format output using a Go template')
    .action(act('info'));
  program.command('version').description('show the tsctl and tsd version information')
    .option('-f, --format <template>', 'format output using a Go template')
    .action(act('version'));
  program.command('events').description('get real time events from the server')
    .option('--since <time>', 'show all events created since timestamp')
    .option('--until <time>', 'stream events until this timestamp')
    .option('-f, --filter <key=value>', 'filter output based on conditions provided', many, [])
    .option('--format <format>', "format output using a Go template or 'json'")
    .action(act('events'));
  return program;
}

const GLOBAL_WITH_VALUE = new Set(['-H', '--host', '--tlscacert', '--tlscert', '--tlskey']);
const GROUPS = new Set(['network', 'volume', 'system']);

/** The command a command line names ("ps", "network create"), skipping global flags. */
export function commandPath(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i += 1) {
    const a = argv[i]!;
    if (a.startsWith('-')) {
      if (words.length === 0 && GLOBAL_WITH_VALUE.has(a)) i += 1;
      if (words.length > 0) break;
      continue;
    }
    words.push(a);
    if (!GROUPS.has(a)) break;
  }
  return words.join(' ');
}

/** Docker's shape for commander's parse errors, which already name the flag or argument. */
export function usageMessage(err: CommanderError, argv: readonly string[]): string {
  const what = err.message.replace(/^error: /, '');
  const command = commandPath(argv);
  const help = command === '' || err.code === 'commander.unknownCommand' ? "See 'tsctl --help'." : `See 'tsctl ${command} --help'.`;
  return `${what}\n${help}`;
}
