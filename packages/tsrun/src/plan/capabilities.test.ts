import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, capabilityMasks, capabilityNamesOf, capabilityNumber } from './capabilities.js';
import { RLIMITS, translateRlimits } from './rlimits.js';

describe('capabilities', () => {
  it('numbers all 41 capabilities', () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(capabilityNumber('CAP_CHOWN')).toBe(0);
    expect(capabilityNumber('CAP_SYS_ADMIN')).toBe(21);
    expect(capabilityNumber('CAP_AUDIT_READ')).toBe(37);
    expect(capabilityNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
  });

  it('builds masks above 32 bits exactly', () => {
    const m = capabilityMasks({ bounding: ['CAP_CHECKPOINT_RESTORE', 'CAP_CHOWN', 'CAP_CHOWN'], effective: [...CAPABILITY_NAMES] });
    expect(m).toEqual({ bounding: 2 ** 40 + 1, effective: 2 ** 41 - 1, inheritable: 0, permitted: 0, ambient: 0 });
    expect(capabilityNamesOf(m!.bounding)).toEqual(['CAP_CHOWN', 'CAP_CHECKPOINT_RESTORE']);
    expect(capabilityMasks(undefined)).toBeNull();
  });

  it('keeps only the ambient capabilities that are also permitted and inheritable', () => {
    const m = capabilityMasks({
      permitted: ['CAP_KILL', 'CAP_CHOWN'], inheritable: ['CAP_KILL', 'CAP_SETUID'], ambient: ['CAP_KILL', 'CAP_CHOWN', 'CAP_SETUID'],
    });
    expect(capabilityNamesOf(m!.ambient)).toEqual(['CAP_KILL']);
  });

  it('names the unknown capability', () => {
    expect(() => capabilityMasks({ ambient: ['CAP_KILL', 'KILL'] })).toThrow('config.json: /process/capabilities/ambient/1: unknown capability "KILL"');
  });
});

describe('rlimits', () => {
  it('numbers all 16 limits', () => {
    expect(Object.values(RLIMITS)).toEqual([...Array(16).keys()]);
  });

  it('maps 2^64-1 to -1 and keeps order', () => {
    expect(translateRlimits([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
      { type: 'RLIMIT_MEMLOCK', soft: 18446744073709551615, hard: 18446744073709551615 },
      { type: 'RLIMIT_RTTIME', soft: 5, hard: 18446744073709551615 },
    ])).toEqual([{ resource: 7, soft: 1024, hard: 4096 }, { resource: 8, soft: -1, hard: -1 }, { resource: 15, soft: 5, hard: -1 }]);
  });

  it('rejects soft above hard and inexact values', () => {
    expect(() => translateRlimits([{ type: 'RLIMIT_NOFILE', soft: 10, hard: 5 }])).toThrow('/process/rlimits/0: soft limit exceeds hard limit for RLIMIT_NOFILE');
    expect(() => translateRlimits([{ type: 'RLIMIT_AS', soft: 2 ** 60, hard: 2 ** 60 }])).toThrow('/process/rlimits/0/soft: ');
  });
});
