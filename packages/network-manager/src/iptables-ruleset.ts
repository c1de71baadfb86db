import type { Protocol } from './ports.js';
import type { RulesetBridge, RulesetPort } from './nft-ruleset.js';

/** The engine's own chains, and the built-in chain each is jumped to from (TSRUN-PORTMAP is only jumped to from ours). */
export const IPTABLES_CHAINS = {
  nat: { 'TSRUN-PREROUTING': 'PREROUTING', 'TSRUN-OUTPUT': 'OUTPUT', 'TSRUN-POSTROUTING': 'POSTROUTING', 'TSRUN-PORTMAP': undefined },
  filter: { 'TSRUN-FORWARD': 'FORWARD' },
} as const satisfies Record<string, Record<string, string | undefined>>;

type Table = keyof typeof IPTABLES_CHAINS;
const TABLES = Object.keys(IPTABLES_CHAINS) as Table[];

/** A jump from a built-in chain to one of ours, as `iptables-save` prints it: "nat PREROUTING TSRUN-PREROUTING". */
const jumpKey = (table: string, from: string, to: string): string => `${table} ${from} ${to}`;

/** The jumps to the engine's chains that `iptables-save` output shows (each counted as often as it appears). */
export function parseJumps(saved: string): string[] {
  const found: string[] = [];
  let table = '';
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^-A (\S+) -j (TSRUN-\S+)$/.exec(line.trim());
    if (m && !m[1]!.startsWith('TSRUN-')) found.push(jumpKey(table, m[1]!, m[2]!));
  }
  return found;
}

function portmapRules(ports: readonly RulesetPort[]): string[] {
  const rule = (p: RulesetPort): string => {
    const { hostIp, hostPort, containerPort, protocol } = p.mapping;
    const dst = hostIp === '0.0.0.0' ? '' : `-d ${hostIp}/32 `;
    return `-A TSRUN-PORTMAP ${dst}-p ${protocol} -m ${protocol} --dport ${hostPort} -j DNAT --to-destination ${p.containerIp}:${containerPort}`;
  };
  const out: string[] = [];
  // an address of its own first, as the nft table looks up addr_* before any_*
  for (const specific of [true, false]) {
    for (const proto of ['tcp', 'udp'] as Protocol[]) {
      out.push(...ports.filter((p) => p.mapping.protocol === proto && (p.mapping.hostIp !== '0.0.0.0') === specific).map(rule));
    }
  }
  return out;
}

/**
 * The whole desired state as one `iptables-restore --noflush` script (the kernel applies it
 * all or nothing): declaring a chain creates it or flushes it, then its rules are re-added.
 * The jumps from the built-in chains are added only where `existingJumps` (parseJumps of
 * the current `iptables-save`) lacks them. With nothing to hold, the script removes the
 * jumps and the chains. Same semantics as renderRuleset's nft table.
 */
export function renderIptablesRestore(
  bridges: readonly RulesetBridge[], ports: readonly RulesetPort[], existingJumps: readonly string[],
): string {
  const remove = bridges.length === 0 && ports.length === 0;
  const rules: Record<Table, string[]> = { nat: [], filter: [] };
  if (!remove) {
    rules.nat.push(
      '-A TSRUN-PREROUTING -m addrtype --dst-type LOCAL -j TSRUN-PORTMAP',
      // the host's own connections (127.0.0.1:hostPort included: route_localnet is set on the bridges)
      '-A TSRUN-OUTPUT -m addrtype --dst-type LOCAL -j TSRUN-PORTMAP',
      ...portmapRules(ports),
    );
    for (const b of bridges) {
      rules.nat.push(
        `-A TSRUN-POSTROUTING -s ${b.subnet} ! -o ${b.bridge} -j MASQUERADE`,
        // from the host's loopback, and hairpin (a container to a published port on its own bridge)
        `-A TSRUN-POSTROUTING -s 127.0.0.0/8 -o ${b.bridge} -m conntrack --ctstate DNAT -j MASQUERADE`,
        `-A TSRUN-POSTROUTING -s ${b.subnet} -o ${b.bridge} -m conntrack --ctstate DNAT -j MASQUERADE`,
      );
    }
    // published ports (DNAT) stay reachable from all networks; RETURN leaves the verdict to the rest of FORWARD,
    // as the nft table's accept in its own base chain does
    rules.filter.push('-A TSRUN-FORWARD -m conntrack --ctstate DNAT -j RETURN');
    for (const b of bridges) {
      for (const o of bridges) if (o.bridge !== b.bridge) rules.filter.push(`-A TSRUN-FORWARD -i ${b.bridge} -o ${o.bridge} -j DROP`);
    }
  }
  const lines: string[] = [];
  for (const table of TABLES) {
    const chains = Object.entries(IPTABLES_CHAINS[table]) as [string, string | undefined][];
    lines.push(`*${table}`, ...chains.map(([c]) => `:${c} - [0:0]`));
    for (const [chain, from] of chains) {
      if (from === undefined) continue;
      const have = existingJumps.filter((j) => j === jumpKey(table, from, chain)).length;
      if (remove) for (let i = 0; i < have; i++) lines.push(`-D ${from} -j ${chain}`);
      else if (have === 0) lines.push(`-I ${from} -j ${chain}`);
    }
    if (remove) lines.push(...chains.map(([c]) => `-X ${c}`));
    else lines.push(...rules[table]);
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}
