/** docker pull and push over RegistryService, with docker's progress output. */
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Daemon } from '../client/daemon.js';
import type { PullResult, PushResult } from '../client/wire.js';
import type { Context, OutStream, Status } from '../context.js';
import { FlagError } from '../errors.js';
import { progressFor } from '../render/progress.js';
import { familiarName, splitReference } from '../render/references.js';
import { doing, out } from './common.js';

export function parsePlatform(value: string, flag = '--platform'): { os: string; architecture: string; variant: string } {
  const [os = '', architecture = '', variant = '', ...extra] = value.split('/');
  if (os === '' || architecture === '' || extra.length > 0) throw new FlagError(flag, value, 'expected os/arch[/variant], e.g. linux/amd64');
  return { os, architecture, variant };
}

/** Pulls `ref`, showing progress on `stream` (nothing with quiet); returns the result. */
export async function pullImage(d: Daemon, ref: string, stream: OutStream, opts: { quiet?: boolean; platform?: string } = {}): Promise<PullResult> {
  const platform = opts.platform === undefined ? null : parsePlatform(opts.platform);
  const parts = splitReference(ref);
  if (!opts.quiet) {
    if (parts.tag === undefined && parts.digest === undefined) stream.write('Using default tag: latest\n');
    stream.write(`${parts.digest ?? parts.tag ?? 'latest'}: Pulling from ${parts.domain === 'docker.io' ? parts.path : `${parts.domain}/${parts.path}`}\n`);
  }
  const progress = opts.quiet ? undefined : await progressFor(stream, 'pull');
  let result: PullResult | undefined;
  try {
    for await (const m of d.read(() => d.registry.Pull({ reference: ref, platform }))) {
      if (m.event === 'progress' && m.progress) progress?.update(m.progress);
      else if (m.event === 'result' && m.result) result = m.result;
    }
  } finally {
    progress?.stop();
  }
  if (result === undefined) throw new EngineError('internal', 'the pull ended without a result');
  if (progress) {
    stream.write(`Digest: ${result.digest}\n`);
    const name = familiarName(result.reference || ref);
    stream.write(progress.model.transferred ? `Status: Downloaded newer image for ${name}\n` : `Status: Image is up to date for ${name}\n`);
  }
  return result;
}

export async function pull(ctx: Context, ref: string, opts: { platform?: string; quiet?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  const result = await doing(`pull ${ref}`, () => pullImage(d, ref, ctx.io.stdout, opts));
  out(ctx, `${result.reference || ref}\n`);
  return 0;
}

export async function push(ctx: Context, ref: string, opts: { quiet?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  return doing(`push ${ref}`, async () => {
    const image = await d.call(d.images, 'Get', { name: ref });
    const manifest = image?.image?.target;
    if (!manifest) throw new EngineError('not_found', `no image named ${ref}`);
    const parts = splitReference(ref);
    if (!opts.quiet) out(ctx, `The push refers to repository [${parts.domain}/${parts.path}]\n`);
    const progress = opts.quiet ? undefined : await progressFor(ctx.io.stdout, 'push');
    let result: PushResult | undefined;
    try {
      for await (const m of d.read(() => d.registry.Push({ reference: ref, manifest, mountFrom: [] }))) {
        if (m.event === 'progress' && m.progress) progress?.update(m.progress);
        else if (m.event === 'result' && m.result) result = m.result;
      }
    } finally {
      progress?.stop();
    }
    if (result === undefined) throw new EngineError('internal', 'the push ended without a result');
    if (opts.quiet) out(ctx, `${result.reference || ref}\n`);
    else out(ctx, `${parts.tag ?? 'latest'}: digest: ${result.digest} size: ${result.size}\n`);
    return 0;
  });
}
