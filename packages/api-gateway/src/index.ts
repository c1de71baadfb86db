export { startDaemon, type Daemon } from './daemon.js';
export { defaultConfig, findShim, SERVICE_NAMES, type DaemonConfig, type ServiceName, type TlsFiles } from './config.js';
export { ContainerEngine, type EngineOptions, type EngineServices } from './engine/containers.js';
export { ContainerStore, type ContainerRecord, type ContainerStatus } from './engine/container-store.js';
export { buildSpec, capabilitySet, commandOf, mergeEnv, mountPointsOf, DEFAULT_CAPS, type SpecInput } from './engine/spec-builder.js';
export { CriParser, readLog, followLog, timeNanos, type LogRecord, type LogQuery } from './engine/cri-log.js';
export { EventBus, type EngineEvent } from './engine/events.js';
export { VolumeStore, type VolumeRecord } from './engine/volumes.js';
export { addEngineServices, ENGINE_PROTO } from './engine/server.js';
