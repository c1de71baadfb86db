/** What `tsrun exec` can change about the process it starts (runc exec's flags). */
export interface ExecOverrides {
  args: string[];
  env: string[];
  cwd: string | null;
  user: { uid: number; gid: number } | null;
  additionalGids: number[];
  caps: string[];
  tty: boolean;
  /** true sets no_new_privs; false keeps the container's setting (runc's --no-new-privs only turns it on). */
  noNewPrivs: boolean;
  apparmor: string | null;
  processLabel: string | null;
}

export interface ExecRequest {
  /** A full OCI process JSON file (runc exec --process); the overrides are then ignored. */
  processFile: string | null;
  overrides: ExecOverrides;
}
