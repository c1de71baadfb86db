/** docker inspect: containers, then images, networks and volumes, as docker-shaped JSON or a template. */
import { EngineError } from '@tsrun/oci-spec/errors';
import type { Daemon } from '../client/daemon.js';
import type { Context, Status } from '../context.js';
import { DaemonUnreachableError, FlagError, withContext } from '../errors.js';
import { compileTemplate, executeTemplate } from '../render/format.js';
import { containerDocument, imageDocument, networkDocument, renderInspect, volumeDocument } from '../render/inspect.js';
import { out } from './common.js';

export type ObjectType = 'container' | 'image' | 'network' | 'volume';
const TYPES: readonly ObjectType[] = ['container', 'image', 'network', 'volume'];

async function lookup(d: Daemon, type: ObjectType, name: string): Promise<unknown> {
  switch (type) {
    case 'container': return containerDocument((await d.call(d.containers, 'Inspect', { id: name }))!);
    case 'image': return imageDocument((await d.call(d.images, 'Get', { name }))!);
    case 'network': {
      const r = await d.call(d.networks, 'InspectNetwork', { name });
      if (!r?.network) throw new EngineError('not_found', `network ${name} not found`);
      return networkDocument(r.network);
    }
    case 'volume': return volumeDocument((await d.call(d.volumes, 'Inspect', { name }))!);
  }
}

/** Inspects `names` as `types` (the first type that knows a name wins); prints the documents, reports the rest. */
export async function inspectObjects(ctx: Context, names: readonly string[], types: readonly ObjectType[], format: string | undefined): Promise<Status> {
  const template = format === undefined ? undefined : compileTemplate(format, '-f, --format');
  const d = await ctx.daemon();
  const docs: unknown[] = [];
  let status = 0;
  for (const name of names) {
    let found: unknown;
    let failure: unknown;
    for (const type of types) {
      try {
        found = await lookup(d, type, name);
        break;
      } catch (err) {
        if (!(err instanceof EngineError && err.code === 'not_found') || types.length === 1) { failure = err; break; }
      }
    }
    if (found !== undefined) docs.push(found);
    else {
      const err = failure ?? new EngineError('not_found', `no such object: ${name}`);
      if (err instanceof DaemonUnreachableError) throw err;
      ctx.io.stderr.write(`tsctl: ${withContext(err, `inspect ${name}`).message}\n`);
      status = 1;
    }
  }
  out(ctx, renderInspect(docs, template && ((doc) => executeTemplate(template, doc, '-f, --format'))));
  return status;
}

export async function inspect(ctx: Context, names: string[], opts: { format?: string; type?: string }): Promise<Status> {
  if (opts.type !== undefined && !TYPES.includes(opts.type as ObjectType)) {
    throw new FlagError('--type', opts.type, 'expected container, image, network or volume');
  }
  return inspectObjects(ctx, names, opts.type === undefined ? TYPES : [opts.type as ObjectType], opts.format);
}
