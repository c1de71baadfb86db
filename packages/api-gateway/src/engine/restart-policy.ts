/** Docker's restart policies: which names there are, whether an exit restarts, and the backoff. */
import { EngineError } from '@tsrun/oci-spec';
import type { HostConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
import type { ContainerRecord } from './container-store.js';

const POLICIES = ['', 'no', 'always', 'on-failure', 'unless-stopped'];

/** Refuses an unknown policy, and a policy together with auto-remove (as Docker does). */
export function checkRestartPolicy(hc: HostConfig__Output): void {
  const policy = hc.restartPolicy?.name ?? '';
  if (!POLICIES.includes(policy)) {
    throw new EngineError('invalid_argument', `--restart ${JSON.stringify(policy)}: want no, always, unless-stopped or on-failure[:max-retries]`);
  }
  if (hc.autoRemove && policy !== '' && policy !== 'no') throw new EngineError('invalid_argument', 'conflicting options: --restart and --rm');
}

/** Whether the exit just recorded in `r` restarts it; a person's stop or kill never does. */
export function shouldRestart(r: Pick<ContainerRecord, 'manuallyStopped' | 'exitCode' | 'restartCount' | 'hostConfig'>): boolean {
  if (r.manuallyStopped) return false;
  const p = r.hostConfig.restartPolicy;
  switch (p?.name ?? '') {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return r.exitCode !== 0 && (p!.maximumRetryCount <= 0 || r.restartCount < p!.maximumRetryCount);
    default:
      return false;
  }
}

/** 100 ms, doubling with each restart, at most a minute. */
export function restartDelayMs(restartCount: number): number {
  return Math.min(100 * 2 ** Math.min(restartCount, 10), 60_000);
}
