// tsx tools/bench/pull.ts [--runs N] [--image debian|busybox] [--peers skopeo,umoci,podman,docker] [--only one-layer,four-layer]
// Pulls from a local docker-registry (127.0.0.1, random port) into an EMPTY store,
// unpacking included (what `docker pull` and `podman pull` do): tsrun's
// pullAndUnpack() into a fresh LocalImageStore, interleaved in one run with
// `docker pull` (a private dockerd, overlay2, vfs when overlay2 will not start),
// `podman pull` (private --root/--runroot, overlay), `skopeo copy` + `umoci unpack`,
// and the floor: `tar -xzf` of each layer on its own. For the 4-layer image, each
// layer is also unpacked alone by tsrun (its blob already stored) to compare with
// the whole pull. Median of N runs each, as ratios; the store's size on disk
// (blocks, `du -sB1`) against docker's and podman's.
// Images: `debian` is a debootstrap --variant=minbase bookworm rootfs in one gzip
// layer, and a 4-layer image of it plus three layers of real file trees from this
// machine's /usr (python, gcc, headers and vim/perl data); all made once and
// cached in .demo/bench-cache/. `busybox` is tools/busybox-rootfs.ts's rootfs
// (no network needed) plus random-byte layers.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry } from '../../e2e/lib/registry.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, randomLayer, TAR_LAYER } from '../../e2e/lib/test-image.ts';
import { LocalImageStore, putFile } from '../../packages/image-store/src/index.ts';
import { LocalRegistryClient, pullAndUnpack } from '../../packages/registry-client/src/index.ts';
import { ensureDebianPackages, percentile, REPO } from './common.ts';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    image: { type: 'string', default: 'debian' },
    peers: { type: 'string', default: 'skopeo,umoci,podman,docker' },
    only: { type: 'string', default: 'one-layer,four-layer' },
  },
});
const runs = Number(values.runs);
const peers = new Set(values.peers!.split(',').filter(Boolean));
const only = new Set(values.only!.split(',').filter(Boolean));
ensureDebianPackages(['docker-registry', 'skopeo', 'umoci', ...(values.image === 'debian' ? ['debootstrap'] : [])]);

// on the disk (not a tmpfs): every tool writes to the same filesystem
const work = mkdtempSync('/var/tmp/tsrun-bench-pull-');
const cache = join(REPO, '.demo/bench-cache');

function cached(name: string, make: (out: string) => void): string {
  const file = join(cache, name);
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    process.stderr.write(`making ${name} (once)...\n`);
    make(`${file}.tmp`);
    execFileSync('mv', [`${file}.tmp`, file]);
  }
  return file;
}

function debianLayer(): string {
  return cached('debian-minbase-bookworm-v2.tar.gz', (out) => {
    const root = join(work, 'debootstrap');
    execFileSync('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'], { stdio: 'ignore' });
    // debootstrap leaves the downloaded .debs and apt lists behind; images do not carry them
    execFileSync('sh', ['-c', `rm -rf ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/* && tar -C ${root} --numeric-owner -c . | gzip -6 > ${out}`]);
    rmSync(root, { recursive: true, force: true });
  });
}

/** A layer of real directories of this machine (paths relative to /), gzip -6. */
function hostTreeLayer(name: string, paths: string[]): string {
  return cached(name, (out) => {
    execFileSync('sh', ['-c', `tar -C / --numeric-owner -cf - "$@" | gzip -6 > ${out}`, 'sh', ...paths.filter((p) => existsSync(`/${p}`))]);
  });
}

function du(path: string): number {
  return Number(execFileSync('du', ['-sB1', path], { encoding: 'utf8' }).split('\t')[0]);
}

function timed(fn: () => void): number {
  execFileSync('sync');
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timedAsync(fn: () => Promise<void>): Promise<number> {
  execFileSync('sync');
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${r.stderr}`);
}

function gunzipDigest(file: string, gzip: boolean): string {
  return `sha256:${execFileSync('sh', ['-c', `${gzip ? 'gzip -dc' : 'cat'} "$1" | sha256sum`, 'sh', file], { encoding: 'utf8' }).slice(0, 64)}`;
}

const registry = await startRegistry();
let dockerd: PrivateDockerd | undefined;
if (peers.has('docker')) {
  dockerd = await startPrivateDockerd(work, 'overlay2').catch(async (err: unknown) => {
    process.stderr.write(`${(err as Error).message}; falling back to vfs\n`);
    return startPrivateDockerd(work, 'vfs');
  });
}
try {
  const source = await LocalImageStore.open(join(work, 'source'));
  let layerFiles: { file: string; mediaType: string }[];
  if (values.image === 'debian') {
    layerFiles = [
      debianLayer(),
      hostTreeLayer('host-python.tar.gz', ['usr/lib/python3', 'usr/lib/python3.11', 'usr/libexec']),
      hostTreeLayer('host-gcc.tar.gz', ['usr/lib/gcc']),
      hostTreeLayer('host-include-data.tar.gz', ['usr/include', 'usr/share/vim', 'usr/share/perl']),
    ].map((file) => ({ file, mediaType: GZIP_LAYER }));
  } else {
    const bb = join(work, 'busybox.tar.gz');
    execFileSync('sh', ['-c', `cat > ${bb}`], { input: await busyboxLayer() });
    layerFiles = [{ file: bb, mediaType: GZIP_LAYER }];
    for (const i of [1, 2, 3]) {
      const f = join(work, `random-${i}.tar`);
      execFileSync('sh', ['-c', `cat > ${f}`], { input: await randomLayer(40 * 1024 * 1024) });
      layerFiles.push({ file: f, mediaType: TAR_LAYER });
    }
  }
  const layers = layerFiles.map((l) => ({
    ...l, digest: `sha256:${execFileSync('sha256sum', [l.file], { encoding: 'utf8' }).slice(0, 64)}`, size: statSync(l.file).size,
    diffId: gunzipDigest(l.file, l.mediaType === GZIP_LAYER),
  }));
  const images = [
    { name: 'one-layer', layers: layers.slice(0, 1) },
    { name: 'four-layer', layers },
  ].filter((i) => only.has(i.name));
  const pusher = new LocalRegistryClient({ store: source.content });
  for (const img of images) {
    const made = await makeTestImage(source.content, img.layers.map((l) => ({ data: readFileSync(l.file), mediaType: l.mediaType })));
    await pusher.push(`${registry.host}/bench/${img.name}:1`, { manifest: made.manifest });
  }

  for (const img of images) {
    const ref = `${registry.host}/bench/${img.name}:1`;
    const size = img.layers.reduce((n, l) => n + l.size, 0);
    const samples: Record<string, number[]> = {};
    const sizes: Record<string, number> = {};
    const add = (k: string, ms: number) => { (samples[k] ??= []).push(ms); };
    for (let i = 0; i < runs; i += 1) {
      const dir = join(work, `run-${img.name}-${i}`);
      mkdirSync(dir);
      add('tsrun pull + unpack', await timedAsync(async () => {
        const store = await LocalImageStore.open(join(dir, 'tsrun'));
        await pullAndUnpack(new LocalRegistryClient({ store: store.content }), store, ref);
      }));
      sizes['tsrun pull + unpack'] = du(join(dir, 'tsrun'));
      rmSync(join(dir, 'tsrun'), { recursive: true, force: true });

      const alone: number[] = [];
      const floors: number[] = [];
      for (const [j, l] of img.layers.entries()) {
        if (img.layers.length > 1) {
          const store = await LocalImageStore.open(join(dir, `alone-${j}`));
          await putFile(store.content, l.file, l, `layer ${j}`);
          alone.push(await timedAsync(async () => { await store.snapshots.unpack([{ mediaType: l.mediaType, digest: l.digest, diffId: l.diffId }]); }));
          rmSync(join(dir, `alone-${j}`), { recursive: true, force: true });
        }
        const x = join(dir, `tar-${j}`);
        mkdirSync(x);
        floors.push(timed(() => run('tar', ['--numeric-owner', '-C', x, l.mediaType === GZIP_LAYER ? '-xzf' : '-xf', l.file])));
        rmSync(x, { recursive: true, force: true });
      }
      if (alone.length > 0) add('tsrun unpack, slowest layer alone', Math.max(...alone));
      add('tar -xzf, each layer (sum)', floors.reduce((a, b) => a + b, 0));
      if (floors.length > 1) add('tar -xzf, slowest layer', Math.max(...floors));

      if (dockerd) {
        const before = du(dockerd.dataRoot);
        add(`docker pull (${dockerd.driver})`, timed(() => {
          const r = dockerd!.docker(['pull', '-q', ref]);
          if (r.code !== 0) throw new Error(`docker pull: ${r.stderr}`);
        }));
        sizes[`docker pull (${dockerd.driver})`] = du(dockerd.dataRoot) - before;
        dockerd.docker(['rmi', '-f', ref]);
      }
      if (peers.has('podman')) {
        const root = join(dir, 'podman');
        // podman wants a short runroot
        const runroot = mkdtempSync('/run/tsrun-bp-');
        const pod = ['--root', root, '--runroot', runroot, '--storage-driver', 'overlay'];
        add('podman pull (overlay)', timed(() => run('podman', [...pod, 'pull', '-q', '--tls-verify=false', ref])));
        sizes['podman pull (overlay)'] = du(root);
        spawnSync('podman', [...pod, 'rmi', '-af'], { stdio: 'ignore' });
        spawnSync('sh', ['-c', `grep -o " ${root}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
        rmSync(runroot, { recursive: true, force: true });
      }
      if (peers.has('skopeo') && peers.has('umoci')) {
        add('skopeo copy + umoci unpack', timed(() => {
          run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(dir, 'oci')}:x`]);
          run('umoci', ['unpack', '--image', `${join(dir, 'oci')}:x`, join(dir, 'bundle')]);
        }));
        sizes['skopeo copy + umoci unpack'] = du(join(dir, 'oci')) + du(join(dir, 'bundle'));
      }
      rmSync(dir, { recursive: true, force: true });
    }
    const med = (k: string) => percentile(samples[k]!, 50);
    const base = med('tsrun pull + unpack');
    process.stdout.write(`\n${img.name}: ${img.layers.length} layer(s), ${(size / 1e6).toFixed(1)} MB gzipped, ${runs} runs, medians\n`);
    process.stdout.write('| | median | ratio to tsrun | on disk |\n|---|---|---|---|\n');
    for (const k of Object.keys(samples)) {
      const m = med(k);
      process.stdout.write(`| ${k} | ${(m / 1000).toFixed(2)} s | ${(m / base).toFixed(2)}× | ${sizes[k] !== undefined ? `${(sizes[k]! / 1e6).toFixed(0)} MB` : ''} |\n`);
    }
    if (img.layers.length === 1) {
      process.stdout.write(`tsrun / tar floor: ${(base / med('tar -xzf, each layer (sum)')).toFixed(2)}× (target ≤ 1.1×)\n`);
    } else {
      process.stdout.write(`tsrun / tsrun's slowest layer alone: ${(base / med('tsrun unpack, slowest layer alone')).toFixed(2)}× (target ≤ 1.25×); `
        + `tsrun / tar of every layer: ${(base / med('tar -xzf, each layer (sum)')).toFixed(2)}×\n`);
    }
  }
} finally {
  await dockerd?.stop();
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
