/**
 * docker save and load over ImageService Export and Import, which take paths on the
 * daemon's host: tsd is local, so tsctl passes absolute paths. save writes a docker
 * save tarball, or with --format oci an OCI image layout directory (what Export
 * writes); load tells the two apart by what the path is. load reads a tarball from
 * stdin by spooling it to a temporary file the daemon can read.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Context, Status } from '../context.js';
import { FlagError, UsageError } from '../errors.js';
import { familiarName } from '../render/references.js';
import { doing, out } from './common.js';
import { parsePlatform } from './pull.js';

export async function save(ctx: Context, names: string[], opts: { output?: string; format: string; platform?: string }): Promise<Status> {
  if (opts.format !== 'docker' && opts.format !== 'oci') throw new FlagError('--format', opts.format, 'expected docker or oci');
  if (opts.output === undefined) {
    throw new UsageError('save: the daemon writes the archive itself: name it with -o, --output (tsctl does not stream it to stdout)');
  }
  const path = resolve(ctx.io.cwd, opts.output);
  const platform = opts.platform === undefined ? null : parsePlatform(opts.platform);
  const d = await ctx.daemon();
  await doing(`save ${names.join(' ')} to ${path}`, () => d.call(d.images, 'Export', { names, path, format: opts.format, platform }));
  return 0;
}

async function formatOf(path: string): Promise<'oci' | 'docker'> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new FlagError('-i, --input', path, err.code === 'ENOENT' ? 'no such file or directory' : err.message);
  });
  return s.isDirectory() ? 'oci' : 'docker';
}

export async function load(ctx: Context, opts: { input?: string; quiet?: boolean }): Promise<Status> {
  let spool: string | undefined;
  let path: string;
  if (opts.input !== undefined) path = resolve(ctx.io.cwd, opts.input);
  else {
    if (ctx.io.stdin.isTTY) throw new UsageError('load: requested load from stdin, but stdin is empty (use -i, --input)');
    spool = await mkdtemp(join(tmpdir(), 'tsctl-load-'));
    path = join(spool, 'image.tar');
    await pipeline(ctx.io.stdin, createWriteStream(path, { mode: 0o644 }));
  }
  try {
    const format = await formatOf(path);
    const d = await ctx.daemon();
    const r = await doing(`load ${opts.input ?? 'from stdin'}`, () => d.call(d.images, 'Import', { path, format, refName: '', repository: '' }));
    if (!opts.quiet) out(ctx, (r?.images ?? []).map((i) => `Loaded image: ${familiarName(i.name)}\n`).join(''));
    return 0;
  } finally {
    if (spool !== undefined) await rm(spool, { recursive: true, force: true });
  }
}
