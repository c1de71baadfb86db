/** The generated wire types tsctl uses, under short names, from one place. */
import type { ProtoGrpcType as EngineProto } from '@tsrun/proto/generated/engine.js';
import type { ProtoGrpcType as ImagesProto } from '@tsrun/proto/generated/images.js';
import type { ProtoGrpcType as NetworkProto } from '@tsrun/proto/generated/network.js';
import type { ProtoGrpcType as RegistryProto } from '@tsrun/proto/generated/registry.js';

export type Contracts = EngineProto & ImagesProto & NetworkProto & RegistryProto;

export type { ContainerServiceClient } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerService.js';
export type { SystemServiceClient } from '@tsrun/proto/generated/tsrun/engine/v1/SystemService.js';
export type { VolumeServiceClient } from '@tsrun/proto/generated/tsrun/engine/v1/VolumeService.js';
export type { ImageServiceClient } from '@tsrun/proto/generated/tsrun/images/v1/ImageService.js';
export type { NetworkServiceClient } from '@tsrun/proto/generated/tsrun/network/v1/NetworkService.js';
export type { RegistryServiceClient } from '@tsrun/proto/generated/tsrun/registry/v1/RegistryService.js';

export type { AttachOutput__Output as AttachOutput } from '@tsrun/proto/generated/tsrun/engine/v1/AttachOutput.js';
export type { AttachInput } from '@tsrun/proto/generated/tsrun/engine/v1/AttachInput.js';
export type { ExecInput } from '@tsrun/proto/generated/tsrun/engine/v1/ExecInput.js';
export type { ContainerConfig } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerConfig.js';
export type { HostConfig } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
export type { MountSpec } from '@tsrun/proto/generated/tsrun/engine/v1/MountSpec.js';
export type { RestartPolicy } from '@tsrun/proto/generated/tsrun/engine/v1/RestartPolicy.js';
export type { CreateContainerRequest } from '@tsrun/proto/generated/tsrun/engine/v1/CreateContainerRequest.js';
export type { ContainerInfo__Output as ContainerInfo } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerInfo.js';
export type { ContainerSummary__Output as ContainerSummary } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerSummary.js';
export type { ContainerStats__Output as ContainerStats } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerStats.js';
export type { PortBinding__Output as PortBinding } from '@tsrun/proto/generated/tsrun/engine/v1/PortBinding.js';
export type { Event__Output as EngineEvent } from '@tsrun/proto/generated/tsrun/engine/v1/Event.js';
export type { Volume__Output as Volume } from '@tsrun/proto/generated/tsrun/engine/v1/Volume.js';
export type { VersionResponse__Output as VersionResponse } from '@tsrun/proto/generated/tsrun/engine/v1/VersionResponse.js';
export type { InfoResponse__Output as InfoResponse } from '@tsrun/proto/generated/tsrun/engine/v1/InfoResponse.js';
export type { DiskUsageResponse__Output as DiskUsageResponse } from '@tsrun/proto/generated/tsrun/engine/v1/DiskUsageResponse.js';
export type { FilterValues } from '@tsrun/proto/generated/tsrun/engine/v1/FilterValues.js';
export type { GetResponse__Output as ImageDetails } from '@tsrun/proto/generated/tsrun/images/v1/GetResponse.js';
export type { Image__Output as ImageRecord } from '@tsrun/proto/generated/tsrun/images/v1/Image.js';
export type { Network__Output as Network } from '@tsrun/proto/generated/tsrun/network/v1/Network.js';
export type { Progress__Output as Progress } from '@tsrun/proto/generated/tsrun/registry/v1/Progress.js';
export type { PullResult__Output as PullResult } from '@tsrun/proto/generated/tsrun/registry/v1/PullResult.js';
export type { PushResult__Output as PushResult } from '@tsrun/proto/generated/tsrun/registry/v1/PushResult.js';
