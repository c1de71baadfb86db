import { EngineError } from '@tsrun/oci-spec';
import { parseJumps, renderIptablesRestore } from './iptables-ruleset.js';
import { renderRuleset, type RulesetBridge, type RulesetPort } from './nft-ruleset.js';
import { inNetns, runChecked, runCommand } from './run-command.js';

export type FirewallKind = 'nftables' | 'iptables';

/** The desired state: the bridges to masquerade and isolate, and the published ports to DNAT. */
export interface FirewallState {
  readonly bridges: readonly RulesetBridge[];
  readonly ports: readonly RulesetPort[];
}

/** Where the engine's port-publishing rules live; each call replaces the whole state in one transaction. */
export interface FirewallBackend {
  readonly kind: FirewallKind;
  /** Replaces the engine's rules with `state` (all or nothing); an empty state removes them. */
  apply(state: FirewallState): Promise<void>;
  /** Removes every rule, chain and table of the engine's. */
  remove(): Promise<void>;
}

const EMPTY: FirewallState = { bridges: [], ports: [] };

/** The engine's own `table ip tsrun`, replaced with one `nft -f -`. */
export class NftBackend implements FirewallBackend {
  readonly kind = 'nftables';
  constructor(private readonly netns?: string) {}

  async apply(state: FirewallState): Promise<void> {
    await runChecked('apply nftables rules', inNetns(this.netns, ['nft', '-f', '-']), renderRuleset(state.bridges, state.ports));
  }

  remove(): Promise<void> {
    return this.apply(EMPTY);
  }
}

/** The engine's own TSRUN-* chains in nat and filter, replaced with one `iptables-restore --noflush`. */
export class IptablesBackend implements FirewallBackend {
  readonly kind = 'iptables';
  constructor(private readonly netns?: string) {}

  async apply(state: FirewallState): Promise<void> {
    const saved = await runChecked('apply iptables rules: read the current rules', inNetns(this.netns, ['iptables-save']));
    const empty = state.bridges.length === 0 && state.ports.length === 0;
    if (empty && !saved.includes('TSRUN-')) return; // nothing of ours there: do not create tables just to remove them
    const script = renderIptablesRestore(state.bridges, state.ports, parseJumps(saved));
    await runChecked('apply iptables rules', inNetns(this.netns, ['iptables-restore', '--noflush']), script);
  }

  remove(): Promise<void> {
    return this.apply(EMPTY);
  }
}

async function works(netns: string | undefined, argv: string[]): Promise<boolean> {
  try {
    return (await runCommand(inNetns(netns, argv))).status === 0;
  } catch {
    return false; // not on the PATH
  }
}

/**
 * The backend to use: `kind` if given (checked to work), else nftables when `nft` is on the PATH
 * and works in `netns`, else iptables.
 */
export async function selectFirewall(kind: FirewallKind | 'auto' | undefined, netns?: string): Promise<FirewallBackend> {
  const probes: Record<FirewallKind, string[]> = { nftables: ['nft', 'list', 'tables'], iptables: ['iptables-save'] };
  if (kind === 'nftables' || kind === 'iptables') {
    if (!(await works(netns, probes[kind]))) {
      throw new EngineError('unavailable', `firewall ${kind}: \`${probes[kind].join(' ')}\` does not run here`);
    }
    return kind === 'nftables' ? new NftBackend(netns) : new IptablesBackend(netns);
  }
  if (kind !== undefined && kind !== 'auto') {
    throw new EngineError('invalid_argument', `firewall ${JSON.stringify(kind)}: expected auto, nftables or iptables`);
  }
  if (await works(netns, probes.nftables)) return new NftBackend(netns);
  if (await works(netns, probes.iptables)) return new IptablesBackend(netns);
  throw new EngineError('unavailable', 'firewall: neither `nft` nor `iptables-save` runs here (install nftables or iptables)');
}
