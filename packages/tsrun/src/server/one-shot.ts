import { handleLine, type HandlerOptions } from './handle-request.js';
import { text } from 'node:stream/consumers';
import type { PlannerAnswer } from './requests.js';

/** `__plan`: one request read to the end of the stream, one answer. */
export async function planOneShot(input: AsyncIterable<string | Buffer>, opts: HandlerOptions = {}): Promise<PlannerAnswer> {
  const line = (await text(input)).split('\n').find((l) => l.trim() !== '') ?? '';
  return handleLine(line, opts);
}
