// tsx tools/bench/pull.ts [--runs N] [--image debian|busybox] [--peers skopeo,umoci,podman,docker]
// Pulls from a local docker-registry (127.0.0.1, random port) into an empty
// content store, interleaved in one run with the peers: `skopeo copy` into an
// OCI layout (the same work: fetch and verify), the same plus `umoci unpack`,
// `podman pull` and `docker pull` (private roots; these two also unpack), and
// `tar -xzf` of the layers (the unpack floor). Median of N runs each, as ratios
// to tsrun's pull. Images: `debian` is a debootstrap --variant=minbase bookworm
// rootfs in one gzip layer (made once, cached in .demo/bench-cache/), plus a
// 4-layer image (that layer and three of 40 MiB of random bytes); `busybox` is
// tools/busybox-rootfs.ts's rootfs (no network needed).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDockerd } from '../../e2e/lib/dockerd.ts';
import { startRegistry } from '../../e2e/lib/registry.ts';
import { busyboxLayer, GZIP_LAYER, makeTestImage, randomLayer, TAR_LAYER } from '../../e2e/lib/test-image.ts';
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient } from '../../packages/registry-client/src/index.ts';
import { ensureDebianPackages, percentile, REPO } from './common.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    image: { type: 'string', default: 'debian' },
    peers: { type: 'string', default: 'skopeo,umoci,podman,docker' },
  },
});
const runs = Number(values.runs);
const peers = new Set(values.peers!.split(',').filter(Boolean));
ensureDebianPackages(['docker-registry', 'skopeo', 'umoci', ...(values.image === 'debian' ? ['debootstrap'] : [])]);

const work = mkdtempSync(join(tmpdir(), 'tsrun-bench-pull-'));
const cache = join(REPO, '.demo/bench-cache');

function debianLayer(): Buffer {
  const file = join(cache, 'debian-minbase-bookworm-v2.tar.gz');
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    const root = join(work, 'debootstrap');
    process.stderr.write('debootstrap --variant=minbase bookworm (once)...\n');
    execFileSync('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'], { stdio: 'ignore' });
    // debootstrap leaves the downloaded .debs and apt lists behind; images do not carry them
    execFileSync('sh', ['-c', `rm -rf ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/* && tar -C ${root} --numeric-owner -c . | gzip -6 > ${file}.tmp && mv ${file}.tmp ${file}`]);
    rmSync(root, { recursive: true, force: true });
  }
  return readFileSync(file);
}

function du(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timedAsync(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${r.stderr}`);
}

const registry = await startRegistry();
const dockerd = peers.has('docker') ? await startDockerd('/usr/sbin/runc') : undefined;
try {
  const source = await LocalContentStore.open(join(work, 'source'));
  const first = values.image === 'debian' ? debianLayer() : await busyboxLayer();
  const images = [
    { name: 'one-layer', layers: [{ data: first, mediaType: GZIP_LAYER }] },
    {
      name: 'four-layer',
      layers: [
        { data: first, mediaType: GZIP_LAYER },
        ...await Promise.all([1, 2, 3].map(async () => ({ data: await randomLayer(40 * 1024 * 1024), mediaType: TAR_LAYER }))),
      ],
    },
  ];
  const pusher = new LocalRegistryClient({ store: source });
  for (const img of images) {
    const made = await makeTestImage(source, img.layers);
    await pusher.push(`${registry.host}/bench/${img.name}:1`, { manifest: made.manifest });
  }

  for (const img of images) {
    const ref = `${registry.host}/bench/${img.name}:1`;
    const size = img.layers.reduce((n, l) => n + l.data.length, 0);
    const samples: Record<string, number[]> = {};
    const sizes: Record<string, number> = {};
    const add = (k: string, ms: number) => { (samples[k] ??= []).push(ms); };
    for (let i = 0; i < runs; i += 1) {
      const dir = join(work, `run-${img.name}-${i}`);
      mkdirSync(dir);
      add('tsrun pull', await timedAsync(async () => {
        const store = await LocalContentStore.open(join(dir, 'tsrun'));
        await new LocalRegistryClient({ store }).pull(ref);
      }));
      sizes['tsrun pull'] = du(join(dir, 'tsrun'));
      if (peers.has('skopeo')) {
        add('skopeo copy', timed(() => run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(dir, 'oci')}:x`])));
        sizes['skopeo copy'] = du(join(dir, 'oci'));
        if (peers.has('umoci')) {
          add('skopeo copy + umoci unpack', samples['skopeo copy']!.at(-1)! + timed(() => run('umoci', ['unpack', '--image', `${join(dir, 'oci')}:x`, join(dir, 'bundle')])));
          sizes['skopeo copy + umoci unpack'] = du(join(dir, 'oci')) + du(join(dir, 'bundle'));
        }
      }
      add('tar -xzf (layers only)', timed(() => {
        for (const [j, l] of img.layers.entries()) {
          const f = join(dir, `layer-${j}`);
          writeFileSync(f, l.data);
          mkdirSync(join(dir, 'x'), { recursive: true });
          run('tar', ['-C', join(dir, 'x'), l.mediaType === GZIP_LAYER ? '-xzf' : '-xf', f]);
        }
      }));
      if (peers.has('podman')) {
        const root = join(dir, 'podman');
        // podman wants a short runroot
        const runroot = mkdtempSync('/run/tsrun-bp-');
        const pod = ['--root', root, '--runroot', runroot, '--storage-driver', 'overlay'];
        add('podman pull', timed(() => run('podman', [...pod, 'pull', '-q', '--tls-verify=false', ref])));
        sizes['podman pull'] = du(root);
        spawnSync('podman', [...pod, 'rmi', '-af'], { stdio: 'ignore' });
        spawnSync('sh', ['-c', `grep -o " ${root}[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
        rmSync(runroot, { recursive: true, force: true });
      }
      if (dockerd) {
        add('docker pull (vfs)', timed(() => {
          const r = dockerd.docker(['pull', '-q', ref]);
          if (r.code !== 0) throw new Error(`docker pull: ${r.stderr}`);
        }));
        dockerd.docker(['rmi', '-f', ref]);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    const base = percentile(samples['tsrun pull']!, 50);
    process.stdout.write(`\n${img.name}: ${img.layers.length} layer(s), ${(size / 1e6).toFixed(1)} MB compressed, ${runs} runs, median\n`);
    process.stdout.write('| | median | ratio to tsrun pull | on disk |\n|---|---|---|---|\n');
    for (const [k, v] of Object.entries(samples)) {
      const m = percentile(v, 50);
      process.stdout.write(`| ${k} | ${m.toFixed(0)} ms | ${(m / base).toFixed(2)}× | ${sizes[k] !== undefined ? `${(sizes[k]! / 1e6).toFixed(1)} MB` : ''} |\n`);
    }
  }
} finally {
  await dockerd?.stop();
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
