// tsx tools/bench/phases.ts [--runs 20] [--addr unix:///run/tsd/tsd.sock]
// The API path split by call against a running tsd: create, start, wait,
// remove of `busybox true` with --network none; medians per call.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { engineClient } from '../../e2e/lib/engine.ts';
import { percentile } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, addr: { type: 'string', default: 'unix:///run/tsd/tsd.sock' } } });
const client = engineClient(values.addr);
const phases: Record<string, number[]> = { create: [], start: [], wait: [], remove: [], total: [] };
for (let i = 0; i < Number(values.runs) + 2; i++) {
  const t0 = performance.now();
  const id = await client.create({ config: { image: 'busybox', cmd: ['true'] }, hostConfig: { networkMode: 'none' } });
  const t1 = performance.now();
  await client.start(id);
  const t2 = performance.now();
  await client.wait(id);
  const t3 = performance.now();
  await client.remove(id);
  const t4 = performance.now();
  if (i < 2) continue; // warm-up
  phases.create.push(t1 - t0); phases.start.push(t2 - t1); phases.wait.push(t3 - t2); phases.remove.push(t4 - t3); phases.total.push(t4 - t0);
}
for (const [k, v] of Object.entries(phases)) console.log(`${k.padEnd(7)} median ${percentile(v, 50).toFixed(1)} ms  p90 ${percentile(v, 90).toFixed(1)} ms`);
client.close();
