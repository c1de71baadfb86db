/** run/create flags (as commander hands them over) into a CreateContainerRequest. */
import { UsageError } from '../errors.js';
import type { CreateContainerRequest, MountSpec } from '../client/wire.js';
import { type Environment, parseEnv, parseEnvFile, parseLabels } from './env.js';
import { parseMount, parseTmpfs, parseVolume } from './mounts.js';
import { parsePublish } from './ports.js';
import { parseBytes, parseInteger, parseNanoCpus, parseRestart } from './units.js';

export interface ContainerFlags {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  name?: string;
  env: string[];
  envFile: string[];
  publish: string[];
  volume: string[];
  mount: string[];
  network?: string;
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  restart?: string;
  hostname?: string;
  readOnly?: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged?: boolean;
  tmpfs: string[];
  label: string[];
  stopSignal?: string;
  stopTimeout?: string;
}

export interface RequestSources {
  env: Environment;
  /** reads an --env-file */
  readFile: (path: string) => string;
  cwd: string;
}

/** `image` and `command` are the positional arguments: IMAGE [COMMAND] [ARG...]. */
export function containerRequest(flags: ContainerFlags, image: string, command: readonly string[], src: RequestSources): CreateContainerRequest {
  if (flags.rm && flags.restart !== undefined && parseRestart(flags.restart).name !== 'no') {
    throw new UsageError('conflicting options: --restart and --rm');
  }
  const env: string[] = [];
  for (const file of flags.envFile) {
    let text: string;
    try {
      text = src.readFile(file);
    } catch (err) {
      throw new UsageError(`--env-file ${file}: ${(err as Error).message}`);
    }
    env.push(...parseEnvFile(text, file, src.env));
  }
  for (const e of flags.env) {
    const v = parseEnv(e, src.env);
    if (v !== undefined) env.push(v);
  }
  const binds: string[] = [];
  const mounts: MountSpec[] = [];
  for (const v of flags.volume) {
    const parsed = parseVolume(v, src.cwd);
    if ('bind' in parsed) binds.push(parsed.bind);
    else mounts.push(parsed.mount);
  }
  mounts.push(...flags.mount.map(parseMount));
  for (const p of flags.publish) parsePublish(p);
  const pids = flags.pidsLimit === undefined ? 0 : parseInteger(flags.pidsLimit, '--pids-limit', -1);
  return {
    name: flags.name ?? '',
    config: {
      image,
      cmd: [...command],
      entrypoint: flags.entrypoint === undefined ? [] : [flags.entrypoint],
      entrypointSet: flags.entrypoint !== undefined,
      env,
      workingDir: flags.workdir ?? '',
      user: flags.user ?? '',
      hostname: flags.hostname ?? '',
      tty: flags.tty ?? false,
      openStdin: flags.interactive ?? false,
      labels: parseLabels(flags.label),
      stopSignal: flags.stopSignal ?? '',
      stopTimeout: flags.stopTimeout === undefined ? 0 : parseInteger(flags.stopTimeout, '--stop-timeout', 0),
    },
    hostConfig: {
      binds,
      mounts,
      portBindings: [...flags.publish],
      networkMode: flags.network ?? '',
      memory: flags.memory === undefined ? 0 : parseBytes(flags.memory, '-m, --memory'),
      nanoCpus: flags.cpus === undefined ? 0 : parseNanoCpus(flags.cpus),
      pidsLimit: pids < 0 ? 0 : pids,
      restartPolicy: flags.restart === undefined ? { name: 'no', maximumRetryCount: 0 } : parseRestart(flags.restart),
      readOnlyRootfs: flags.readOnly ?? false,
      capAdd: [...flags.capAdd],
      capDrop: [...flags.capDrop],
      privileged: flags.privileged ?? false,
      autoRemove: flags.rm ?? false,
      tmpfs: Object.fromEntries(flags.tmpfs.map(parseTmpfs)),
    },
  };
}
