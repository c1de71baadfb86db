/** Shorthands for the parts of the generated OCI config types that the planner reads. */
import type { RuntimeConfig } from '@tsrun/oci-spec';

export type { RuntimeConfig };
export type OciProcess = NonNullable<RuntimeConfig['process']>;
export type LinuxCapabilities = NonNullable<OciProcess['capabilities']>;
export type OciRlimit = NonNullable<OciProcess['rlimits']>[number];
export type OciLinux = NonNullable<RuntimeConfig['linux']>;
export type OciMount = NonNullable<RuntimeConfig['mounts']>[number];
export type OciResources = NonNullable<OciLinux['resources']>;
export type OciSeccomp = NonNullable<OciLinux['seccomp']>;
export type OciHooks = NonNullable<RuntimeConfig['hooks']>;
export type OciHook = NonNullable<OciHooks['prestart']>[number];
export type OciDeviceRule = NonNullable<OciResources['devices']>[number];
