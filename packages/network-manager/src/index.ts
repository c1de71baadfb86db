export * from './types.js';
export { BridgeNetworkManager, type BridgeManagerOptions } from './bridge-network.js';
export { Ipam, type Allocation, type PoolRecord } from './ipam.js';
export { parsePortSpec, checkPortConflicts, type PortMapping, type Protocol } from './ports.js';
export { renderRuleset, NFT_TABLE } from './nft-ruleset.js';
export { renderIptablesRestore, parseJumps, IPTABLES_CHAINS } from './iptables-ruleset.js';
export {
  selectFirewall, NftBackend, IptablesBackend, type FirewallBackend, type FirewallKind, type FirewallState,
} from './firewall.js';
export { renderHosts, renderResolvConf } from './dns-files.js';
export { resolveNetworkMode, type NetworkMode } from './network-mode.js';
export { CniRunner, type CniRunnerOptions } from './cni.js';
export {
  parseConfList, SUPPORTED_CNI_VERSIONS, type CniAttachment, type CniConfList, type CniPluginConf, type CniPortMapping, type CniResult,
} from './cni-protocol.js';
export { addNetworkService, networkServiceHandlers, NETWORK_PROTO } from './server.js';
export { GrpcNetworkManager } from './client.js';
