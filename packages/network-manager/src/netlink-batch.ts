import { EngineError } from '@tsrun/oci-spec';
import { inNetns, runChecked, runCommand } from './run-command.js';

/**
 * Netlink work as `ip -batch` scripts: one `ip` process per side of an operation
 * instead of one per step, since attach sits on the container start path. The
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
  readonly containerNetns: string;
  readonly bridge: string;
  readonly mac: string;
  readonly mtu: number;
}

/** Host side: the pair is created with its container end already in the container's namespace, then enslaved and up. */
export function attachHostScript(v: VethSpec): string {
  return [
    `link add name ${v.hostIf} mtu ${v.mtu} type veth peer name ${v.containerIf} address ${v.mac} mtu ${v.mtu} netns ${v.containerNetns}`,
    `link set dev ${v.hostIf} master ${v.bridge}`,
    // hairpin: a container reaching its own published port through the host comes back out the same port
    `link set dev ${v.hostIf} type bridge_slave hairpin on`,
    `link set dev ${v.hostIf} up`,
  ].join('\n') + '\n';
}

export interface AddressSpec {
  readonly containerIf: string;
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string;
  readonly defaultRoute: boolean;
}

/** Container side: loopback up, the address, the link up, the default route via the bridge. */
export function attachContainerScript(a: AddressSpec): string {
  return [
    'link set dev lo up',
    `addr add ${a.address}/${a.prefix} dev ${a.containerIf}`,
    `link set dev ${a.containerIf} up`,
    ...(a.defaultRoute ? [`route add default via ${a.gateway} dev ${a.containerIf}`] : []),
  ].join('\n') + '\n';
}

/**
 * Runs the host side and then the container side of an attach from ONE spawned
 * process (a shell running two `ip -batch`): spawning from Node costs ~3.5 ms here,
 * the shell's own forks a fraction of that. Which side failed is told by the exit
 * status, so the caller can undo exactly what was done.
 */
export async function runAttachBatches(
  what: string, hostNetns: string | undefined, hostScript: string, containerNetns: string, containerScript: string,
): Promise<void> {
  const sh = `${ipIn('$1', hostNetns)} -batch - <<EOF1 || exit 10\n$2\nEOF1\n${ipIn('$3', containerNetns)} -batch - <<EOF2 || exit 11\n$4\nEOF2\n`;
  const r = await runCommand(['sh', '-c', sh, 'sh', hostNetns ?? '', hostScript, containerNetns, containerScript]);
  if (r.status === 0) return;
  const detail = r.stderr.trim().split('\n').filter(Boolean).join('; ');
  if (r.status === 10) throw new EngineError('internal', `${what}: host side: ${detail}`);
  throw new AttachContainerSideError(`${what}: container side: ${detail || `exit status ${r.status}`}`);
}

/** `ip` in a netns, as shell text: `ip -n NAME` for a named netns (one exec less than nsenter), else nsenter by path. */
function ipIn(param: string, netns: string | undefined): string {
  if (netns === undefined) return 'ip';
  return /^\/run\/netns\/[^/]+$/.test(netns) ? `ip -n "\${${param.slice(1)}#/run/netns/}"` : `nsenter --net="${param}" ip`;
}

/** The host side of an attach was done and must be undone. */
export class AttachContainerSideError extends EngineError {
  constructor(message: string) {
    super('internal', message);
  }
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
