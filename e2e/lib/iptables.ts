// iptables views for network tests (Debian's iptables is iptables-nft: it only ever acts inside the test netns).
import { execFileSync } from 'node:child_process';
import { nsPath } from './netns.ts';

/** `iptables` ARGS inside a netns. */
export function iptablesIn(netns: string, ...args: string[]): string {
  return execFileSync('nsenter', [`--net=${nsPath(netns)}`, 'iptables', ...args], { encoding: 'utf8' });
}

/** `iptables-save` inside a netns without its dated comments and counters, for before/after comparisons. */
export function iptablesSave(netns: string): string {
  const out = execFileSync('nsenter', [`--net=${nsPath(netns)}`, 'iptables-save'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');
}
