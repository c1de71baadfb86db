import { describe, expect, it } from 'vitest';
import { renderRuleset } from './nft-ruleset.js';
import { parsePortSpec } from './ports.js';

describe('renderRuleset', () => {
  it('removes the table when there is nothing to hold', () => {
    expect(renderRuleset([], [])).toBe('table ip tsrun {}\ndelete table ip tsrun\n');
  });

  it('puts ports in maps, masquerades each subnet and isolates bridges from each other', () => {
    const script = renderRuleset(
      [{ bridge: 'tsd0', subnet: '172.30.0.0/16' }, { bridge: 'tsb-a', subnet: '10.7.0.0/24' }],
      [
        ...parsePortSpec('8080-8081:80-81').map((mapping) => ({ mapping, containerIp: '172.30.0.2' })),
        ...parsePortSpec('127.0.0.1:53:53/udp').map((mapping) => ({ mapping, containerIp: '10.7.0.2' })),
      ],
    );
    expect(script).toContain('elements = { 8080 : 172.30.0.2 . 80, 8081 : 172.30.0.2 . 81 }');
    expect(script).toContain('elements = { 127.0.0.1 . 53 : 10.7.0.2 . 53 }');
    expect(script).toContain('ip saddr 10.7.0.0/24 oifname != "tsb-a" masquerade');
    expect(script).toContain('iifname "tsd0" oifname { "tsb-a" } drop');
    expect(script).toContain('iifname "tsb-a" oifname { "tsd0" } drop');
    expect(script.startsWith('table ip tsrun {}\ndelete table ip tsrun\ntable ip tsrun {')).toBe(true);
  });
});
