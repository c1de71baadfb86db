import { handleLine, type HandlerOptions } from './handle-request.js';
import type { PlannerAnswer } from './requests.js';

/** `__plan`: one request read to the end of the stream, one answer. */
export async function planOneShot(input: AsyncIterable<string | Buffer>, opts: HandlerOptions = {}): Promise<PlannerAnswer> {
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return handleLine(line, opts);
}
