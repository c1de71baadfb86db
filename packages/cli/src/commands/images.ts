/** docker images, rmi and tag over ImageService. */
import type { ImageDetails } from '../client/wire.js';
import type { Context, Status } from '../context.js';
import { listFormat } from '../render/format.js';
import { IMAGES_DIGESTS_TABLE, IMAGES_LAYOUT, imageRow } from '../render/images.js';
import { familiarName, repositoryAndTag } from '../render/references.js';
import { doing, eachTarget, out } from './common.js';

export interface ImagesFlags {
  all?: boolean;
  quiet?: boolean;
  trunc: boolean;
  digests?: boolean;
  format?: string;
}

/** Whether a stored name matches `docker images REPOSITORY[:TAG]`. */
export function matchesReference(name: string, wanted: string): boolean {
  const have = repositoryAndTag(name);
  const want = repositoryAndTag(wanted);
  const wantedHasTag = familiarName(wanted).lastIndexOf(':') > familiarName(wanted).lastIndexOf('/');
  return have.repository === want.repository && (!wantedHasTag || have.tag === want.tag);
}

export async function images(ctx: Context, reference: string | undefined, opts: ImagesFlags): Promise<Status> {
  const render = listFormat(opts.format, opts.digests && opts.format === undefined ? { ...IMAGES_LAYOUT, table: IMAGES_DIGESTS_TABLE } : IMAGES_LAYOUT);
  const d = await ctx.daemon();
  const details = await doing('images', async () => {
    const list = await d.call(d.images, 'List', {});
    const names = (list?.images ?? []).map((i) => i.name).filter((n) => reference === undefined || matchesReference(n, reference));
    // List has neither the image id (the config digest) nor the size: one Get per image, at once
    const got = await Promise.allSettled(names.map((name) => d.call(d.images, 'Get', { name })));
    return got.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value as ImageDetails] : []));
  });
  details.sort((a, b) => Date.parse(b.image?.created ?? '') - Date.parse(a.image?.created ?? '') || (a.image?.name ?? '').localeCompare(b.image?.name ?? ''));
  const rows = details.map((i) => imageRow(i, { trunc: opts.trunc }));
  if (opts.quiet) {
    out(ctx, [...new Set(rows.map((r) => r.ID))].map((id) => `${id}\n`).join(''));
    return 0;
  }
  out(ctx, render(rows));
  return 0;
}

export async function rmi(ctx: Context, names: string[], opts: { force?: boolean }): Promise<Status> {
  const d = await ctx.daemon();
  return eachTarget(ctx, 'rmi', names, async (name) => {
    const r = await d.call(d.images, 'Remove', { name, force: opts.force ?? false });
    return `Untagged: ${familiarName(r?.image?.name || name)}`;
  });
}

export async function tag(ctx: Context, source: string, target: string): Promise<Status> {
  const d = await ctx.daemon();
  await doing(`tag ${source} ${target}`, () => d.call(d.images, 'Tag', { source, name: target }));
  return 0;
}
