/** docker version, info and system df as docker prints them. */
import type { DiskUsageResponse, InfoResponse, VersionResponse } from '../client/wire.js';
import type { ListLayout } from './format.js';
import { bytesSize, humanSize } from './humanize.js';

export interface ClientVersion {
  Version: string;
  ApiVersion: string;
  NodeVersion: string;
  Os: string;
  Arch: string;
}

/** Node's process.arch in Go's GOARCH words, which docker prints. */
export function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

function aligned(indent: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(19 - indent.length + 1)}${v}\n`).join('');
}

export function clientVersionText(c: ClientVersion): string {
  return `Client:\n${aligned(' ', [['Version', c.Version], ['API version', c.ApiVersion], ['Node version', c.NodeVersion], ['OS/Arch', `${c.Os}/${c.Arch}`]])}`;
}

export function serverVersionDocument(v: VersionResponse): Record<string, unknown> {
  return {
    Version: v.version, ApiVersion: v.apiVersion, GitCommit: v.gitCommit, NodeVersion: v.nodeVersion, Os: v.os, Arch: v.arch,
    KernelVersion: v.kernelVersion, RuntimeVersion: v.runtimeVersion,
  };
}

export function serverVersionText(v: VersionResponse): string {
  return `\nServer: tsd\n Engine:\n${aligned('  ', [
    ['Version', v.version], ['API version', v.apiVersion], ['Node version', v.nodeVersion], ['Git commit', v.gitCommit],
    ['OS/Arch', `${v.os}/${goArch(v.arch)}`], ['Kernel Version', v.kernelVersion],
  ])} tsrun:\n${aligned('  ', [['Version', v.runtimeVersion]])}`;
}

export function infoDocument(i: InfoResponse): Record<string, unknown> {
  return {
    Containers: i.containers, ContainersRunning: i.containersRunning, ContainersPaused: i.containersPaused, ContainersStopped: i.containersStopped,
    Images: i.images, DockerRootDir: i.dataRoot, CgroupDriver: i.cgroupDriver, CgroupVersion: i.cgroupVersion, KernelVersion: i.kernelVersion,
    OperatingSystem: i.operatingSystem, OSType: 'linux', NCPU: i.ncpu, MemTotal: Number(i.memTotal), Name: i.name, ServerVersion: i.serverVersion,
    DefaultRuntime: i.defaultRuntime, Debug: i.debug, RegistryConfig: { InsecureRegistryCIDRs: i.insecureRegistries },
  };
}

export function infoText(i: InfoResponse, client: { version: string }): string {
  const lines = [
    'Client:',
    ` Version:    ${client.version}`,
    ' Context:    default',
    ' Debug Mode: false',
    '',
    'Server:',
    ` Containers: ${i.containers}`,
    `  Running: ${i.containersRunning}`,
    `  Paused: ${i.containersPaused}`,
    `  Stopped: ${i.containersStopped}`,
    ` Images: ${i.images}`,
    ` Server Version: ${i.serverVersion}`,
    ` Cgroup Driver: ${i.cgroupDriver}`,
    ` Cgroup Version: ${i.cgroupVersion}`,
    ` Default Runtime: ${i.defaultRuntime}`,
    ` Kernel Version: ${i.kernelVersion}`,
    ` Operating System: ${i.operatingSystem}`,
    ' OSType: linux',
    ` CPUs: ${i.ncpu}`,
    ` Total Memory: ${bytesSize(Number(i.memTotal))}`,
    ` Name: ${i.name}`,
    ` Data Root: ${i.dataRoot}`,
    ` Debug Mode: ${i.debug}`,
  ];
  if (i.insecureRegistries.length > 0) lines.push(' Insecure Registries:', ...i.insecureRegistries.map((r) => `  ${r}`));
  return `${lines.join('\n')}\n`;
}

export const DF_LAYOUT: ListLayout = {
  table: '{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
};

const DF_TYPES: Readonly<Record<string, string>> = { images: 'Images', image: 'Images', containers: 'Containers', container: 'Containers', volumes: 'Local Volumes', volume: 'Local Volumes', 'build-cache': 'Build Cache' };

export function dfRows(r: DiskUsageResponse): Record<string, string>[] {
  return r.items.map((item) => {
    const size = Number(item.size);
    const reclaimable = Number(item.reclaimable);
    const percent = size > 0 ? ` (${Math.floor((100 * reclaimable) / size)}%)` : '';
    return {
      Type: DF_TYPES[item.type.toLowerCase()] ?? item.type, TotalCount: String(item.total), Active: String(item.active),
      Size: humanSize(size), Reclaimable: `${humanSize(reclaimable)}${percent}`,
    };
  });
}
