import { describe, expect, it } from 'vitest';
import type { HostConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
import { checkRestartPolicy, restartDelayMs, shouldRestart } from './restart-policy.js';
import { thrownEngineError } from './thrown.js';

const hc = (name: string, max = 0, autoRemove = false): HostConfig__Output => ({ restartPolicy: { name, maximumRetryCount: max }, autoRemove } as HostConfig__Output);
const rec = (name: string, exitCode: number, restartCount = 0, max = 0, manuallyStopped = false) => ({ hostConfig: hc(name, max), exitCode, restartCount, manuallyStopped });

describe('restart policy', () => {
  it('takes Docker\'s names and refuses others, and a policy with --rm', () => {
    for (const n of ['', 'no', 'always', 'on-failure', 'unless-stopped']) expect(() => checkRestartPolicy(hc(n))).not.toThrow();
    expect(thrownEngineError(() => checkRestartPolicy(hc('sometimes'))).message).toBe('--restart "sometimes": want no, always, unless-stopped or on-failure[:max-retries]');
    expect(thrownEngineError(() => checkRestartPolicy(hc('always', 0, true))).message).toBe('conflicting options: --restart and --rm');
    expect(() => checkRestartPolicy(hc('no', 0, true))).not.toThrow();
  });

  it('restarts always and unless-stopped whatever the code, on-failure only on a failure within its count', () => {
    expect(shouldRestart(rec('always', 0))).toBe(true);
    expect(shouldRestart(rec('unless-stopped', 0))).toBe(true);
    expect(shouldRestart(rec('no', 1))).toBe(false);
    expect(shouldRestart(rec('', 1))).toBe(false);
    expect(shouldRestart(rec('on-failure', 0))).toBe(false);
    expect(shouldRestart(rec('on-failure', 3, 1, 2))).toBe(true);
    expect(shouldRestart(rec('on-failure', 3, 2, 2))).toBe(false);
    expect(shouldRestart(rec('on-failure', 3, 50, 0))).toBe(true);
  });

  it('never restarts what a person stopped', () => {
    expect(shouldRestart(rec('always', 137, 0, 0, true))).toBe(false);
  });

  it('backs off from 100 ms, doubling, to a minute', () => {
    expect([0, 1, 2, 3].map(restartDelayMs)).toEqual([100, 200, 400, 800]);
    expect(restartDelayMs(30)).toBe(60_000);
  });
});
