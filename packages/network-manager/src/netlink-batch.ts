import { EngineError } from '@tsrun/oci-spec';
import { ResidentIpDiedError, type BatchFailure, type ResidentIp } from './resident-ip.js';
import { inNetns, ipArgv, runChecked, runCommand } from './run-command.js';

/**
 * Netlink work as `ip -batch` scripts: on the container start path the container
 * side is one `ip` process and the host side goes to a resident `ip` process, never
 * one process per step. The
 * script builders are plain functions; the runners below are the side effects.
 */

export interface BridgeSpec {
  readonly bridge: string;
  readonly gateway: string;
  readonly prefix: number;
  readonly mtu: number;
}

export function bridgeUpScript(b: BridgeSpec): string {
  return [
    `link add name ${b.bridge} mtu ${b.mtu} type bridge`,
    `addr add ${b.gateway}/${b.prefix} dev ${b.bridge}`,
    `link set dev ${b.bridge} up`,
  ].join('\n') + '\n';
}

export interface VethSpec {
  readonly hostIf: string;
  readonly containerIf: string;
  /** the host namespace as `ip ... netns` takes it: a path, or the pid of a process in it */
  readonly hostNetnsRef: string;
  readonly bridge: string;
  readonly mac: string;
  readonly mtu: number;
}

export interface AddressSpec {
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string;
  readonly defaultRoute: boolean;
}

/**
 * Container side, run inside the container's namespace: the pair is created there
 * with its host end sent to the host namespace (so the resident host process never
 * opens, and keeps open, a container's namespace), then loopback up, the address,
 * the link up, the default route via the bridge.
 */
export function attachContainerScript(v: VethSpec, a: AddressSpec): string {
  return [
    `link add name ${v.containerIf} address ${v.mac} mtu ${v.mtu} type veth peer name ${v.hostIf} mtu ${v.mtu} netns ${v.hostNetnsRef}`,
    'link set dev lo up',
    `addr add ${a.address}/${a.prefix} dev ${v.containerIf}`,
    `link set dev ${v.containerIf} up`,
    ...(a.defaultRoute ? [`route add default via ${a.gateway} dev ${v.containerIf}`] : []),
  ].join('\n') + '\n';
}

/**
 * Host side, for the resident process: the host end enslaved to the bridge and up,
 * then hairpin, so that a container reaching its own published port through the
 * host comes back out the same port.
 */
export function attachHostCommands(v: VethSpec): string[] {
  return [
    `link set dev ${v.hostIf} master ${v.bridge} up`,
    `link set dev ${v.hostIf} type bridge_slave hairpin on`,
  ];
}

/**
 * An attach: the container side by one `ip -batch` in the container's namespace
 * (which stops at its first error), then the host side by the resident `ip` of
 * the host namespace. On any error the pair may exist: the caller deletes the
 * host end, which takes the container end with it.
 */
export async function runAttach(
  what: string, host: ResidentIp, v: VethSpec, containerNetns: string, containerScript: string,
): Promise<void> {
  const r = await runCommand(ipArgv(containerNetns, ['-batch', '-']), containerScript);
  if (r.status !== 0) {
    const detail = r.stderr.trim().split('\n').filter(Boolean).join('; ');
    throw new EngineError('internal', `${what}: container side: ${detail || `ip exited with status ${r.status}`}`);
  }
  let failures: BatchFailure[];
  try {
    failures = await host.run(attachHostCommands(v));
  } catch (err) {
    if (err instanceof ResidentIpDiedError) throw new ResidentIpDiedError(`${what}: host side: ${err.message}`);
    throw err;
  }
  if (failures.length > 0) throw new EngineError('internal', `${what}: host side: ${describeFailures(failures)}`);
}

function describeFailures(failures: readonly BatchFailure[]): string {
  return failures.map((f) => `${f.command.split(' ').slice(0, 4).join(' ')}: ${f.message}`).join('; ');
}

export async function runIpBatch(what: string, netns: string | undefined, script: string): Promise<void> {
  await runChecked(what, inNetns(netns, ['ip', '-batch', '-']), script);
}

/** Deletes links; one that is already gone (its namespace died with the container) is not an error. */
export async function deleteLinks(what: string, netns: string | undefined, links: readonly string[]): Promise<void> {
  if (links.length === 0) return;
  const r = await runCommand(inNetns(netns, ['ip', '-force', '-batch', '-']), links.map((l) => `link del dev ${l}\n`).join(''));
  const real = r.stderr.split('\n').filter((l) => l.trim() && !/Cannot find device|Command failed/.test(l));
  if (r.status !== 0 && real.length > 0) throw new EngineError('internal', `${what}: ${real.join('; ')}`);
}

/** deleteLinks through the resident process; falls back to a process of its own if the resident one died. */
export async function deleteLinksWith(host: ResidentIp, what: string, links: readonly string[]): Promise<void> {
  if (links.length === 0) return;
  let failures: BatchFailure[];
  try {
    failures = await host.run(links.map((l) => `link del dev ${l}`));
  } catch (err) {
    if (!(err instanceof ResidentIpDiedError)) throw err;
    return deleteLinks(what, host.netns, links);
  }
  const real = failures.filter((f) => !/Cannot find device/.test(f.message));
  if (real.length > 0) throw new EngineError('internal', `${what}: ${describeFailures(real)}`);
}

export interface LinkInfo {
  readonly ifname: string;
  readonly kind?: string;
  readonly master?: string;
}

/** The links of a namespace (`ip -j -d link`). */
export async function listLinks(netns: string | undefined): Promise<LinkInfo[]> {
  const out = await runChecked('list links', inNetns(netns, ['ip', '-j', '-d', 'link', 'show']));
  const raw = JSON.parse(out || '[]') as { ifname: string; master?: string; linkinfo?: { info_kind?: string } }[];
  return raw.map((l) => ({ ifname: l.ifname, kind: l.linkinfo?.info_kind, master: l.master }));
}
