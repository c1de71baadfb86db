/** `top`: the host's `ps` output, only the rows of the container's processes (as docker top does). */
import { execFile } from 'node:child_process';
import { EngineError } from '@tsrun/oci-spec';

export interface TopResult {
  titles: string[];
  processes: Array<{ values: string[] }>;
}

export function filterPs(output: string, pids: ReadonlySet<number>): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new EngineError('invalid_argument', 'top: the ps options give no PID column');
  const processes = lines.slice(1).map((line) => {
    const fields = line.trim().split(/\s+/);
    // the last column (the command) keeps its spaces
    return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  }).filter((values) => pids.has(Number(values[pidCol]))).map((values) => ({ values }));
  return { titles, processes };
}

export function runPs(psArgs: string, pids: readonly number[]): Promise<TopResult> {
  const args = psArgs.trim() === '' ? ['-ef'] : psArgs.trim().split(/\s+/);
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new EngineError('invalid_argument', `top: ps ${args.join(' ')}: ${stderr.trim().split('\n')[0] || err.message}`));
      try {
        resolve(filterPs(stdout, new Set(pids)));
      } catch (e) {
        reject(e);
      }
    });
  });
}
