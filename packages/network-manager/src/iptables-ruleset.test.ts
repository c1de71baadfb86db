import { describe, expect, it } from 'vitest';
import { parseJumps, renderIptablesRestore } from './iptables-ruleset.js';
import { parsePortSpec } from './ports.js';

const bridges = [{ bridge: 'tsd0', subnet: '172.30.0.0/16' }, { bridge: 'tsb-a', subnet: '10.7.0.0/24' }];
const ports = [
  ...parsePortSpec('8080-8081:80-81').map((mapping) => ({ mapping, containerIp: '172.30.0.2' })),
  ...parsePortSpec('127.0.0.1:53:53/udp').map((mapping) => ({ mapping, containerIp: '10.7.0.2' })),
];

describe('renderIptablesRestore', () => {
  it('declares (creates or flushes) the engine chains, jumps to them once, and DNATs, masquerades and isolates', () => {
    const script = renderIptablesRestore(bridges, ports, []);
    const lines = script.split('\n');
    expect(lines.slice(0, 5)).toEqual(['*nat', ':TSRUN-PREROUTING - [0:0]', ':TSRUN-OUTPUT - [0:0]', ':TSRUN-POSTROUTING - [0:0]', ':TSRUN-PORTMAP - [0:0]']);
    for (const jump of ['-I PREROUTING -j TSRUN-PREROUTING', '-I OUTPUT -j TSRUN-OUTPUT', '-I POSTROUTING -j TSRUN-POSTROUTING', '-I FORWARD -j TSRUN-FORWARD']) {
      expect(lines.filter((l) => l === jump)).toHaveLength(1);
    }
    expect(lines).toContain('-A TSRUN-PORTMAP -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.30.0.2:81');
    // an address of its own comes before any address
    expect(lines.indexOf('-A TSRUN-PORTMAP -d 127.0.0.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.7.0.2:53'))
      .toBeLessThan(lines.indexOf('-A TSRUN-PORTMAP -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.30.0.2:80'));
    expect(lines).toContain('-A TSRUN-POSTROUTING -s 10.7.0.0/24 ! -o tsb-a -j MASQUERADE');
    expect(lines).toContain('-A TSRUN-POSTROUTING -s 127.0.0.0/8 -o tsd0 -m conntrack --ctstate DNAT -j MASQUERADE');
    expect(lines).toContain('-A TSRUN-FORWARD -i tsd0 -o tsb-a -j DROP');
    expect(lines).toContain('-A TSRUN-FORWARD -i tsb-a -o tsd0 -j DROP');
    expect(lines.filter((l) => l === 'COMMIT')).toHaveLength(2);
  });

  it('does not add a jump that is already there', () => {
    const saved = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j TSRUN-PREROUTING\n-A TSRUN-PREROUTING -j TSRUN-PORTMAP\nCOMMIT\n*filter\n-A FORWARD -j TSRUN-FORWARD\nCOMMIT\n';
    expect(parseJumps(saved)).toEqual(['nat PREROUTING TSRUN-PREROUTING', 'filter FORWARD TSRUN-FORWARD']);
    const script = renderIptablesRestore(bridges, ports, parseJumps(saved));
    expect(script).not.toContain('-I PREROUTING');
    expect(script).not.toContain('-I FORWARD');
    expect(script).toContain('-I OUTPUT -j TSRUN-OUTPUT');
  });

  it('with nothing to hold, deletes every jump and chain', () => {
    const saved = '*nat\n-A PREROUTING -j TSRUN-PREROUTING\n-A PREROUTING -j TSRUN-PREROUTING\n-A OUTPUT -j TSRUN-OUTPUT\nCOMMIT\n';
    const lines = renderIptablesRestore([], [], parseJumps(saved)).split('\n');
    expect(lines.filter((l) => l === '-D PREROUTING -j TSRUN-PREROUTING')).toHaveLength(2);
    expect(lines).toContain('-D OUTPUT -j TSRUN-OUTPUT');
    expect(lines).not.toContain('-D FORWARD -j TSRUN-FORWARD');
    for (const c of ['TSRUN-PREROUTING', 'TSRUN-OUTPUT', 'TSRUN-POSTROUTING', 'TSRUN-PORTMAP', 'TSRUN-FORWARD']) expect(lines).toContain(`-X ${c}`);
    expect(lines.some((l) => l.startsWith('-A ') || l.startsWith('-I '))).toBe(false);
  });
});
