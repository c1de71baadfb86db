import type { LinuxCapabilities, OciProcess } from '../plan/config-types.js';
import { invalidField } from '../plan/invalid.js';
import type { ExecOverrides } from './exec-request.js';

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Appends KEY=value entries, replacing an earlier entry with the same key in place. */
export function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  for (const entry of extra) {
    const i = out.findIndex((e) => envKey(e) === envKey(entry));
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}

/**
 * The exec process built as runc exec builds it from the container's config.json
 * process: args replaced, cwd/user overridden, env and additional gids appended,
 * --cap added to the bounding, effective, permitted and ambient sets (runc 1.1
 * leaves inheritable alone), terminal from --tty, no_new_privs turned on by the flag.
 */
export function buildExecProcess(base: OciProcess, o: ExecOverrides): OciProcess {
  if (o.apparmor) throw invalidField('/overrides/apparmor', 'AppArmor is not available on this host', 'exec');
  if (o.processLabel) throw invalidField('/overrides/processLabel', 'SELinux is not supported by tsrun', 'exec');
  if (o.args.length === 0) throw invalidField('/overrides/args', 'exec needs a command', 'exec');
  const p: OciProcess = structuredClone(base);
  p.args = [...o.args];
  if (o.cwd) p.cwd = o.cwd;
  p.env = mergeEnv(p.env ?? [], o.env);
  p.terminal = o.tty;
  delete p.consoleSize;
  if (o.noNewPrivs) p.noNewPrivileges = true;
  p.user = { ...(p.user ?? { uid: 0, gid: 0 }) };
  if (o.user) {
    p.user.uid = o.user.uid;
    p.user.gid = o.user.gid;
  }
  if (o.additionalGids.length > 0) p.user.additionalGids = [...(p.user.additionalGids ?? []), ...o.additionalGids];
  if (o.caps.length > 0) {
    const caps: LinuxCapabilities = { ...(p.capabilities ?? {}) };
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) caps[set] = [...(caps[set] ?? []), ...o.caps];
    p.capabilities = caps;
  }
  return p;
}
