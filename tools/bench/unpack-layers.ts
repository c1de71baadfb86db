// tsx tools/bench/unpack-layers.ts [--layers 0,1,2,3] [--alone]
// Unpacks the cached 4-layer bench image (.demo/bench-cache/, made by pull.ts) from
// a store that already holds the blobs: all layers together (one Snapshotter.unpack),
// and with --alone each layer by itself. No registry, so `node --cpu-prof` over it
// shows the unpack alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalImageStore, putFile } from '../../packages/image-store/src/index.ts';
import { REPO } from './common.ts';

const { values } = parseArgs({ options: { layers: { type: 'string', default: '0,1,2,3' }, alone: { type: 'boolean', default: false } } });
const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const names = ['debian-minbase-bookworm-v2.tar.gz', 'host-python.tar.gz', 'host-gcc.tar.gz', 'host-include-data.tar.gz'];
const layers = values.layers!.split(',').map(Number).map((i) => {
  const file = join(REPO, '.demo/bench-cache', names[i]!);
  const digest = `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).slice(0, 64)}`;
  const diffId = `sha256:${execFileSync('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', file], { encoding: 'utf8' }).slice(0, 64)}`;
  return { file, mediaType: GZIP_LAYER, digest, diffId, size: statSync(file).size };
});
const work = mkdtempSync('/var/tmp/tsrun-bench-unpack-');
try {
  async function once(label: string, ls: typeof layers): Promise<number> {
    const store = await LocalImageStore.open(join(work, label));
    for (const l of ls) await putFile(store.content, l.file, l, l.file);
    execFileSync('sync');
    const t0 = process.hrtime.bigint();
    await store.snapshots.unpack(ls.map((l) => ({ mediaType: l.mediaType, digest: l.digest, diffId: l.diffId })));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(`${label}: ${(ms / 1000).toFixed(2)} s\n`);
    rmSync(join(work, label), { recursive: true, force: true });
    return ms;
  }
  const all = await once('together', layers);
  if (values.alone) {
    const alone = [];
    for (const [i, l] of layers.entries()) alone.push(await once(`alone-${i}`, [l]));
    process.stdout.write(`together / slowest alone: ${(all / Math.max(...alone)).toFixed(2)}×\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
