/**
 * Docker-shaped inspect documents built from the daemon's messages, so that scripts
 * written for `docker inspect` (and their --format templates) keep working.
 */
import type { ContainerInfo, ImageDetails, Network, Volume } from '../client/wire.js';
import { type PortSpec, parsePublish, portBindingsMap } from '../flags/ports.js';
import { familiarName } from './references.js';

function num(v: string | number | undefined): number {
  return Number(v ?? 0);
}

function portSpecs(bindings: readonly string[]): PortSpec[] {
  const specs: PortSpec[] = [];
  for (const b of bindings) {
    try {
      specs.push(parsePublish(b));
    } catch {
      // a binding tsctl cannot read is left out of the map rather than failing inspect
    }
  }
  return specs;
}

export function containerDocument(c: ContainerInfo): Record<string, unknown> {
  const state = c.state;
  const config = c.config;
  const host = c.hostConfig;
  const networkMode = host?.networkMode || 'bridge';
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const p of c.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol || 'tcp'}`;
    if (p.hostPort > 0) (ports[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    else ports[key] ??= null;
  }
  const networks: Record<string, unknown> = {};
  for (const n of c.networks ?? []) {
    networks[n.network] = {
      IPAMConfig: null, Links: null, Aliases: n.aliases.length > 0 ? n.aliases : null, MacAddress: n.macAddress, NetworkID: '', EndpointID: '',
      Gateway: n.gateway, IPAddress: n.ipAddress, IPPrefixLen: n.ipPrefixLen, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null,
    };
  }
  const primary = (c.networks ?? []).find((n) => n.network === networkMode) ?? c.networks?.[0];
  const restart = host?.restartPolicy;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    State: {
      Status: state?.status ?? '', Running: state?.running ?? false, Paused: state?.paused ?? false, Restarting: state?.restarting ?? false,
      OOMKilled: state?.oomKilled ?? false, Dead: state?.dead ?? false, Pid: state?.pid ?? 0, ExitCode: state?.exitCode ?? 0,
      Error: state?.error ?? '', StartedAt: state?.startedAt || '0001-01-01T00:00:00Z', FinishedAt: state?.finishedAt || '0001-01-01T00:00:00Z',
    },
    Image: c.imageId || c.image,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: c.logPath,
    Name: `/${c.name.replace(/^\//, '')}`,
    RestartCount: c.restartCount,
    Driver: 'overlay',
    Platform: 'linux',
    HostConfig: {
      Binds: host && host.binds.length > 0 ? host.binds : null,
      NetworkMode: networkMode,
      PortBindings: portBindingsMap(portSpecs(host?.portBindings ?? [])),
      RestartPolicy: { Name: restart?.name || 'no', MaximumRetryCount: restart?.maximumRetryCount ?? 0 },
      AutoRemove: host?.autoRemove ?? false,
      Memory: num(host?.memory),
      NanoCpus: num(host?.nanoCpus),
      PidsLimit: num(host?.pidsLimit) === 0 ? null : num(host?.pidsLimit),
      CapAdd: host && host.capAdd.length > 0 ? host.capAdd : null,
      CapDrop: host && host.capDrop.length > 0 ? host.capDrop : null,
      Privileged: host?.privileged ?? false,
      ReadonlyRootfs: host?.readOnlyRootfs ?? false,
      Tmpfs: host && Object.keys(host.tmpfs).length > 0 ? host.tmpfs : null,
      Mounts: host && host.mounts.length > 0
        ? host.mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly, ...(m.type === 'tmpfs' && num(m.tmpfsSize) > 0 && { TmpfsOptions: { SizeBytes: num(m.tmpfsSize) } }) }))
        : null,
    },
    GraphDriver: { Name: 'overlay', Data: c.rootfs ? { MergedDir: c.rootfs } : null },
    Mounts: (c.mounts ?? []).map((m) => ({
      Type: m.type, ...(m.name && { Name: m.name }), Source: m.source, Destination: m.destination, Mode: '', RW: m.rw, Propagation: m.type === 'bind' ? 'rprivate' : '',
    })),
    Config: {
      Hostname: config?.hostname ?? '',
      Domainname: '',
      User: config?.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: config?.tty ?? false,
      OpenStdin: config?.openStdin ?? false,
      Env: config && config.env.length > 0 ? config.env : null,
      Cmd: config && config.cmd.length > 0 ? config.cmd : null,
      Image: config?.image || c.image,
      WorkingDir: config?.workingDir ?? '',
      Entrypoint: config && config.entrypoint.length > 0 ? config.entrypoint : null,
      Labels: config?.labels ?? {},
      ...(config?.stopSignal && { StopSignal: config.stopSignal }),
      ...(config && config.stopTimeout > 0 && { StopTimeout: config.stopTimeout }),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: ports,
      Gateway: primary?.gateway ?? '',
      IPAddress: primary?.ipAddress ?? '',
      IPPrefixLen: primary?.ipPrefixLen ?? 0,
      MacAddress: primary?.macAddress ?? '',
      Networks: networks,
    },
  };
}

/** The parts of an OCI image config that docker's image inspect shows. */
interface ImageConfigDocument {
  created?: string;
  author?: string;
  architecture?: string;
  variant?: string;
  os?: string;
  config?: Record<string, unknown>;
  rootfs?: { type?: string; diff_ids?: string[] };
}

function parseConfig(json: string): ImageConfigDocument {
  if (json === '') return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    return parsed !== null && typeof parsed === 'object' ? parsed as ImageConfigDocument : {};
  } catch {
    return {};
  }
}

export function imageDocument(i: ImageDetails): Record<string, unknown> {
  const name = i.image?.name ?? '';
  const target = i.image?.target;
  const repo = familiarName(name).replace(/[:@][^:/@]*$/, '');
  const isDigestRef = name.includes('@');
  const config = parseConfig(i.configJson ?? '');
  const platform = target?.platform;
  const variant = config.variant ?? platform?.variant;
  return {
    Id: i.configDigest,
    RepoTags: name !== '' && !isDigestRef ? [familiarName(name)] : [],
    RepoDigests: target?.digest ? [`${repo}@${target.digest}`] : [],
    Parent: '',
    Comment: '',
    Created: config.created ?? i.image?.created ?? '',
    DockerVersion: '',
    Author: config.author ?? '',
    Config: config.config ?? null,
    Architecture: config.architecture ?? platform?.architecture ?? '',
    ...(variant && { Variant: variant }),
    Os: config.os ?? platform?.os ?? '',
    Size: num(i.size),
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? i.diffIds },
    Metadata: { LastTagTime: i.image?.updated ?? '' },
    Descriptor: target ? { mediaType: target.mediaType, digest: target.digest, size: num(target.size) } : null,
  };
}

export function networkDocument(n: Network): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const e of n.endpoints ?? []) {
    containers[e.containerId] = {
      Name: e.name, EndpointID: '', MacAddress: e.mac, IPv4Address: e.address ? `${e.address}/${e.prefix}` : '', IPv6Address: '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver || 'bridge',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway && { Gateway: n.gateway }) }] : [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: {
      ...(n.bridge && { 'com.docker.network.bridge.name': n.bridge }),
      ...(n.mtu > 0 && { 'com.docker.network.driver.mtu': String(n.mtu) }),
      ...(n.isDefault && { 'com.docker.network.bridge.default_bridge': 'true' }),
    },
    Labels: {},
  };
}

export function volumeDocument(v: Volume): Record<string, unknown> {
  return {
    CreatedAt: v.created,
    Driver: v.driver || 'local',
    Labels: Object.keys(v.labels ?? {}).length > 0 ? v.labels : null,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: null,
    Scope: 'local',
  };
}

/** docker inspect's output: the documents as one indented JSON array, or the template once per document. */
export function renderInspect(documents: readonly unknown[], template: ((doc: unknown) => string) | undefined): string {
  if (template === undefined) return `${JSON.stringify(documents, null, 4)}\n`;
  return documents.map((d) => `${template(d)}\n`).join('');
}
