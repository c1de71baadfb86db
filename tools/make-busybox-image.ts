// tsx tools/make-busybox-image.ts OUT.tar [NAME:TAG]
// A `docker save` tarball of a one-layer image made from Debian's busybox-static
// (tools/busybox-rootfs.ts): what `tsctl load -i` (and `docker load`) take. The
// demo and test image, since no public registry is reachable here. Entries have
// fixed times and owners, so the same busybox gives the same image digest.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pack, type Pack } from 'tar-stream';
import { makeBusyboxRootfs } from './busybox-rootfs.ts';

const EPOCH = new Date(0);

async function tarOf(fill: (p: Pack) => void): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  fill(p);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

function addTree(p: Pack, root: string, rel = ''): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    const common = { name: path, mode: st.mode & 0o7777, uid: 0, gid: 0, mtime: EPOCH };
    if (st.isSymbolicLink()) p.entry({ ...common, type: 'symlink', linkname: readlinkSync(join(root, path)) });
    else if (st.isDirectory()) {
      p.entry({ ...common, type: 'directory' });
      addTree(p, root, path);
    } else if (st.isFile()) p.entry({ ...common, type: 'file' }, readFileSync(join(root, path)));
  }
}

const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export async function makeBusyboxImage(out: string, name = 'busybox:latest'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-bb-image-'));
  let layer: Buffer;
  try {
    makeBusyboxRootfs(dir);
    layer = await tarOf((p) => addTree(p, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const diffId = hex(layer);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'tools/make-busybox-image.ts (Debian busybox-static)' }],
  }));
  const configName = `${hex(config)}.json`;
  const [repo, tag = 'latest'] = name.split(/:(?=[^/:]+$)/);
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [`${repo}:${tag}`], Layers: [`${diffId}/layer.tar`] }]));
  const repositories = Buffer.from(JSON.stringify({ [repo!]: { [tag]: diffId } }));
  const tar = await tarOf((p) => {
    const file = (n: string, data: Buffer): void => void p.entry({ name: n, mode: 0o644, mtime: EPOCH }, data);
    p.entry({ name: `${diffId}/`, type: 'directory', mode: 0o755, mtime: EPOCH });
    file(`${diffId}/layer.tar`, layer);
    file(configName, config);
    file('manifest.json', manifest);
    file('repositories', repositories);
  });
  writeFileSync(out, tar);
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('make-busybox-image.ts')) {
  const [out, name] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: make-busybox-image OUT.tar [NAME:TAG]\n');
    process.exit(2);
  }
  await makeBusyboxImage(resolve(out), name);
  process.stdout.write(`image ready: ${resolve(out)} (${name ?? 'busybox:latest'})\n`);
}
