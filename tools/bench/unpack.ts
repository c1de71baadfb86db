// Unpack benchmark: a single-layer Debian minbase image (debootstrap, tar+gzip)
// applied by the image store's Snapshotter vs a plain `tar -xzf` of the same file,
// interleaved, median of --runs (default 5), reported as a ratio.
//   npx tsx tools/bench/unpack.ts [--runs 5] [--work /var/tmp/tsrun-bench-unpack]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { LocalImageStore, MediaType } from '../../packages/image-store/src/index.ts';
import { ensureDebianPackages, percentile } from './common.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, work: { type: 'string', default: '/var/tmp/tsrun-bench-unpack' } } });
const runs = Number(values.runs);
const work = values.work!;
mkdirSync(work, { recursive: true });

const layer = join(work, 'minbase.tar.gz');
if (!existsSync(layer)) {
  ensureDebianPackages(['debootstrap']);
  const rootfs = join(work, 'rootfs');
  if (!existsSync(join(rootfs, 'etc/debian_version'))) execFileSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs], { stdio: 'inherit' });
  execFileSync('sh', ['-c', 'tar --numeric-owner --xattrs --xattrs-include="*" -C "$1" -cf - . | gzip -6 > "$2"', 'sh', rootfs, layer], { stdio: 'inherit' });
}

async function sha256Of(stream: NodeJS.ReadableStream): Promise<string> {
  const h = createHash('sha256');
  for await (const c of stream) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}
const diffId = await sha256Of(createReadStream(layer).pipe(createGunzip()));
const digest = await sha256Of(createReadStream(layer));
const size = statSync(layer).size;

async function ours(): Promise<number> {
  const root = join(work, 'store');
  rmSync(root, { recursive: true, force: true });
  const store = await LocalImageStore.open(root);
  const w = await store.content.ingest(digest, { digest, size });
  for await (const c of createReadStream(layer)) await w.write(c as Buffer);
  await w.commit();
  execFileSync('sync');
  const t0 = performance.now();
  await store.snapshots.unpack([{ mediaType: MediaType.ociLayerGzip, digest, diffId }]);
  return performance.now() - t0;
}

function tar(): number {
  const dest = join(work, 'tar-out');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest);
  execFileSync('sync');
  const t0 = performance.now();
  execFileSync('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', dest, '-xzf', layer]);
  return performance.now() - t0;
}

const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < runs; i += 1) {
  a.push(await ours());
  b.push(tar());
}
const mo = percentile(a, 50);
const mt = percentile(b, 50);
console.log(`layer ${(size / 1e6).toFixed(1)} MB gzipped, ${runs} runs each, interleaved`);
console.log(`image-store unpack: median ${mo.toFixed(0)} ms  (${a.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`tar -xzf:           median ${mt.toFixed(0)} ms  (${b.map((x) => x.toFixed(0)).join(' ')})`);
console.log(`ratio: ${(mo / mt).toFixed(2)}x`);
rmSync(join(work, 'store'), { recursive: true, force: true });
rmSync(join(work, 'tar-out'), { recursive: true, force: true });
