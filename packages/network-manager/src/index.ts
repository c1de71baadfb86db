export * from './types.js';
export { BridgeNetworkManager, type BridgeManagerOptions } from './bridge-network.js';
export { Ipam, type Allocation, type PoolRecord } from './ipam.js';
export { parsePortSpec, checkPortConflicts, type PortMapping, type Protocol } from './ports.js';
export { renderRuleset, NFT_TABLE } from './nft-ruleset.js';
export { renderHosts, renderResolvConf } from './dns-files.js';
export { resolveNetworkMode, type NetworkMode } from './network-mode.js';
