/** docker version, info, system df and system prune over SystemService. */
import type { Context, Status } from '../context.js';
import { compileTemplate, executeTemplate, listFormat } from '../render/format.js';
import { humanSize } from '../render/humanize.js';
import {
  type ClientVersion, clientVersionText, DF_LAYOUT, dfRows, goArch, infoDocument, infoText, serverVersionDocument, serverVersionText,
} from '../render/system.js';
import { TSCTL_VERSION } from '../version.js';
import { confirm, doing, out } from './common.js';

/** The engine API version tsctl speaks: the proto package's. */
const API_VERSION = 'v1';

function clientVersion(): ClientVersion {
  return { Version: TSCTL_VERSION, ApiVersion: API_VERSION, NodeVersion: process.version, Os: process.platform, Arch: goArch(process.arch) };
}

export async function version(ctx: Context, opts: { format?: string }): Promise<Status> {
  const client = clientVersion();
  const d = await ctx.daemon();
  if (opts.format !== undefined) {
    const t = compileTemplate(opts.format, '-f, --format');
    const server = await doing('version', () => d.call(d.system, 'Version', {}));
    out(ctx, `${executeTemplate(t, { Client: client, Server: serverVersionDocument(server!) }, '-f, --format')}\n`);
    return 0;
  }
  // like docker: the client's half is printed even when the daemon cannot be reached
  out(ctx, clientVersionText(client));
  const server = await doing('version', () => d.call(d.system, 'Version', {}));
  out(ctx, serverVersionText(server!));
  return 0;
}

export async function info(ctx: Context, opts: { format?: string }): Promise<Status> {
  const template = opts.format === undefined ? undefined : compileTemplate(opts.format, '-f, --format');
  const d = await ctx.daemon();
  const i = (await doing('info', () => d.call(d.system, 'Info', {})))!;
  out(ctx, template ? `${executeTemplate(template, infoDocument(i), '-f, --format')}\n` : infoText(i, { version: TSCTL_VERSION }));
  return 0;
}

export async function df(ctx: Context, opts: { format?: string }): Promise<Status> {
  const render = listFormat(opts.format, DF_LAYOUT);
  const d = await ctx.daemon();
  const r = await doing('system df', () => d.call(d.system, 'DiskUsage', {}));
  out(ctx, render(dfRows(r!)));
  return 0;
}

export function pruneWarning(opts: { all?: boolean; volumes?: boolean }): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    '  - all networks not used by at least one container',
    ...(opts.volumes ? ['  - all volumes not used by at least one container'] : []),
    opts.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    '',
    'Are you sure you want to continue?',
  ].join('\n');
}

export async function prune(ctx: Context, opts: { all?: boolean; volumes?: boolean; force?: boolean }): Promise<Status> {
  if (!opts.force && !(await confirm(ctx, pruneWarning(opts)))) return 0;
  const d = await ctx.daemon();
  const r = (await doing('system prune', () => d.call(d.system, 'Prune', { all: opts.all ?? false, volumes: opts.volumes ?? false })))!;
  const section = (title: string, items: readonly string[]): string => (items.length === 0 ? '' : `${title}:\n${items.map((i) => `${i}\n`).join('')}\n`);
  out(ctx, section('Deleted Containers', r.containersDeleted) + section('Deleted Networks', r.networksDeleted)
    + section('Deleted Volumes', r.volumesDeleted) + section('Deleted Images', r.imagesDeleted)
    + `Total reclaimed space: ${humanSize(Number(r.spaceReclaimed))}\n`);
  return 0;
}
