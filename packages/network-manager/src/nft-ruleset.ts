import type { PortMapping, Protocol } from './ports.js';

/** The engine's own nftables table; nothing outside it is touched. */
export const NFT_TABLE = 'tsrun';

export interface RulesetBridge {
  readonly bridge: string;
  readonly subnet: string;
}

export interface RulesetPort {
  readonly mapping: PortMapping;
  readonly containerIp: string;
}

const q = (name: string): string => JSON.stringify(name);

function map(name: string, type: string, elements: string[]): string[] {
  return [
    `  map ${name} {`,
    `    type ${type}`,
    ...(elements.length > 0 ? [`    elements = { ${elements.join(', ')} }`] : []),
    '  }',
  ];
}

/**
 * The whole table as one `nft -f` script that replaces the previous one in a single
 * transaction (the kernel applies it all or nothing). Published ports are map
 * elements, so a rule set with 1,000 ports still has a handful of rules and a
 * lookup per packet. With nothing to hold, the script just removes the table.
 */
export function renderRuleset(bridges: readonly RulesetBridge[], ports: readonly RulesetPort[]): string {
  const head = `table ip ${NFT_TABLE} {}\ndelete table ip ${NFT_TABLE}\n`;
  if (bridges.length === 0 && ports.length === 0) return head;
  const lines: string[] = [`table ip ${NFT_TABLE} {`];
  for (const proto of ['tcp', 'udp'] as Protocol[]) {
    const mine = ports.filter((p) => p.mapping.protocol === proto);
    const any = mine.filter((p) => p.mapping.hostIp === '0.0.0.0');
    const addr = mine.filter((p) => p.mapping.hostIp !== '0.0.0.0');
    lines.push(...map(`any_${proto}`, 'inet_service : ipv4_addr . inet_service',
      any.map((p) => `${p.mapping.hostPort} : ${p.containerIp} . ${p.mapping.containerPort}`)));
    lines.push(...map(`addr_${proto}`, 'ipv4_addr . inet_service : ipv4_addr . inet_service',
      addr.map((p) => `${p.mapping.hostIp} . ${p.mapping.hostPort} : ${p.containerIp} . ${p.mapping.containerPort}`)));
  }
  lines.push(
    '  chain portmap {',
    '    dnat ip to ip daddr . tcp dport map @addr_tcp',
    '    dnat ip to ip daddr . udp dport map @addr_udp',
    '    dnat ip to tcp dport map @any_tcp',
    '    dnat ip to udp dport map @any_udp',
    '  }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump portmap',
    '  }',
    // the host's own connections (127.0.0.1:hostPort included: route_localnet is set on the bridges)
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    fib daddr type local jump portmap',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
  );
  for (const b of bridges) {
    lines.push(
      `    ip saddr ${b.subnet} oifname != ${q(b.bridge)} masquerade`,
      // from the host's loopback, and hairpin (a container to a published port on its own bridge)
      `    ct status dnat oifname ${q(b.bridge)} ip saddr { 127.0.0.0/8, ${b.subnet} } masquerade`,
    );
  }
  lines.push(
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct status dnat accept',
  );
  // networks are isolated from each other; published ports (dnat, above) stay reachable from all
  for (const b of bridges) {
    const others = bridges.filter((o) => o.bridge !== b.bridge).map((o) => q(o.bridge));
    if (others.length > 0) lines.push(`    iifname ${q(b.bridge)} oifname { ${others.join(', ')} } drop`);
  }
  lines.push('  }', '}');
  return `${head}${lines.join('\n')}\n`;
}
