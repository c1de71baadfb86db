import { describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec';
import { filterPs } from './top.js';

const PS_EF = [
  'UID          PID    PPID  C STIME TTY          TIME CMD',
  'root           1       0  0 10:00 ?        00:00:01 /sbin/init splash',
  'root        4242    4200  0 10:01 ?        00:00:00 nginx: master process nginx -g daemon off;',
  'www-data    4250    4242  0 10:01 ?        00:00:00 nginx: worker process',
  'root        4300       1  0 10:02 pts/0    00:00:00 bash',
  '',
].join('\n');

describe('filterPs', () => {
  it("keeps the container's rows, found by the PID column", () => {
    expect(filterPs(PS_EF, new Set([4242, 4250]))).toEqual({
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        { values: ['root', '4242', '4200', '0', '10:01', '?', '00:00:00', 'nginx: master process nginx -g daemon off;'] },
        { values: ['www-data', '4250', '4242', '0', '10:01', '?', '00:00:00', 'nginx: worker process'] },
      ],
    });
  });

  it('finds PID in another column and does not match PPID', () => {
    const aux = [
      'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND',
      'root        4242  0.0  0.1  10000  2000 ?        Ss   10:01   0:00 sleep  100',
      'root          10  0.0  0.0      0     0 ?        S    10:00   0:00 [kworker/4242]',
    ].join('\n');
    const { processes } = filterPs(aux, new Set([4242]));
    expect(processes).toEqual([{ values: ['root', '4242', '0.0', '0.1', '10000', '2000', '?', 'Ss', '10:01', '0:00', 'sleep 100'] }]);
    const pidFirst = 'PPID PID CMD\n4242 1 init\n1 4242 sh -c x\n';
    expect(filterPs(pidFirst, new Set([4242])).processes).toEqual([{ values: ['1', '4242', 'sh -c x'] }]);
  });

  it('is only the titles when none of the processes is in the set', () => {
    expect(filterPs(PS_EF, new Set([7])).processes).toEqual([]);
  });

  it('fails when ps gives no PID column', () => {
    let err: unknown;
    try {
      filterPs('USER COMMAND\nroot sh\n', new Set([1]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_argument');
    expect((err as EngineError).message).toBe('top: the ps options give no PID column');
    expect(() => filterPs('', new Set([1]))).toThrow(EngineError);
  });
});
