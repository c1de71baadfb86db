/** docker events over SystemService.Events: one line (or JSON object, or template) per event. */
import type { Context, Status } from '../context.js';
import { parseFilters } from '../flags/env.js';
import { parseTimestamp } from '../flags/units.js';
import { eventDocument, eventJson, eventLine } from '../render/events.js';
import { compileTemplate, executeTemplate } from '../render/format.js';
import { doing, out } from './common.js';

export async function events(ctx: Context, opts: { since?: string; until?: string; filter: string[]; format?: string }): Promise<Status> {
  const request = {
    since: opts.since === undefined ? '' : parseTimestamp(opts.since, '--since'),
    until: opts.until === undefined ? '' : parseTimestamp(opts.until, '--until'),
    filters: parseFilters(opts.filter),
  };
  const template = opts.format === undefined || opts.format === 'json' ? undefined : compileTemplate(opts.format);
  const d = await ctx.daemon();
  await doing('events', async () => {
    for await (const e of d.read(() => d.system.Events(request))) {
      if (opts.format === 'json') out(ctx, `${eventJson(e)}\n`);
      else if (template) out(ctx, `${executeTemplate(template, eventDocument(e))}\n`);
      else out(ctx, `${eventLine(e)}\n`);
    }
  });
  return 0;
}
