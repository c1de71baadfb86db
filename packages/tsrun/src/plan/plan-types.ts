/**
 * The container plan, version 1: docs/plan-format.md is the contract; these types
 * mirror it field for field. The C shim reads plan.json and nothing else.
 */
export const PLAN_VERSION = 1;

export type NamespaceType = 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'user' | 'cgroup' | 'time';

export interface PlanNamespace {
  type: NamespaceType;
  /** Join the namespace at this path; null creates a new one. */
  path: string | null;
}

export interface PlanIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface PlanTimeOffset {
  secs: number;
  nanosecs: number;
}

export interface PlanMount {
  destination: string;
  source: string;
  type: string;
  bind: boolean;
  recursive: boolean;
  flags: number;
  clearFlags: number;
  propagation: number[];
  attrSet: number;
  attrClr: number;
  data: string;
  createDir: boolean;
}

export interface PlanDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface PlanSysctl {
  key: string;
  value: string;
}

export interface PlanCapabilities {
  bounding: number;
  effective: number;
  inheritable: number;
  permitted: number;
  ambient: number;
}

export interface PlanRlimit {
  resource: number;
  soft: number;
  hard: number;
}

export interface PlanProcess {
  terminal: boolean;
  consoleSize: { height: number; width: number } | null;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  umask: number | null;
  additionalGids: number[];
  capabilities: PlanCapabilities | null;
  noNewPrivileges: boolean;
  rlimits: PlanRlimit[];
  oomScoreAdj: number | null;
  ioPriority: { class: number; priority: number } | null;
}

export interface PlanSeccompArg {
  index: number;
  value: number;
  valueTwo: number;
  op: string;
}

export interface PlanSeccompSyscall {
  names: string[];
  action: string;
  errnoRet: number | null;
  args: PlanSeccompArg[];
}

export interface PlanSeccomp {
  defaultAction: string;
  defaultErrnoRet: number | null;
  architectures: string[];
  flags: string[];
  syscalls: PlanSeccompSyscall[];
}

export interface PlanCgroupWrite {
  dir: string;
  file: string;
  value: string;
}

export interface PlanDeviceRule {
  allow: boolean;
  type: 'a' | 'c' | 'b';
  major: number;
  minor: number;
  access: string;
}

export interface PlanCgroup {
  version: 1 | 2;
  dirs: string[];
  freezer: string | null;
  writes: PlanCgroupWrite[];
  devices: PlanDeviceRule[] | null;
}

export interface PlanHook {
  path: string;
  args: string[];
  env: string[];
  timeout: number | null;
}

export const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];
export type PlanHooks = Record<HookKind, PlanHook[]>;

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  id: string;
  ociVersion: string;
  bundle: string;
  stateDir: string;
  rootfs: string;
  rootfsReadonly: boolean;
  rootfsPropagation: number;
  noPivot: boolean;
  newKeyring: boolean;
  annotations: Record<string, string>;
  namespaces: PlanNamespace[];
  uidMappings: PlanIdMapping[];
  gidMappings: PlanIdMapping[];
  timeOffsets: { monotonic: PlanTimeOffset; boottime: PlanTimeOffset } | null;
  hostname: string | null;
  domainname: string | null;
  mounts: PlanMount[];
  devices: PlanDevice[];
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl: PlanSysctl[];
  process: PlanProcess;
  seccomp: PlanSeccomp | null;
  cgroup: PlanCgroup | null;
  hooks: PlanHooks;
}
