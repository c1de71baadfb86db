/** What several commands share: writing, acting on several containers, asking to confirm. */
import { createInterface } from 'node:readline';
import type { Context } from '../context.js';
import { withContext } from '../errors.js';

export function out(ctx: Context, text: string): void {
  ctx.io.stdout.write(text);
}

/**
 * docker's way with `stop a b c`: every target is tried (at once), each success prints
 * its name, each failure one error line; the status is 1 when any failed.
 */
export async function eachTarget(ctx: Context, verb: string, targets: readonly string[], fn: (target: string) => Promise<string | undefined>): Promise<number> {
  const results = await Promise.allSettled(targets.map(fn));
  let status = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value !== undefined) out(ctx, `${r.value}\n`);
    } else {
      ctx.io.stderr.write(`tsctl: ${withContext(r.reason, `${verb} ${targets[i]}`).message}\n`);
      status = 1;
    }
  });
  return status;
}

/** Runs `fn`, adding `context` to what it throws. */
export async function doing<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withContext(err, context);
  }
}

/** docker's "[y/N]" prompt on stdin; anything but y or yes is no. */
export async function confirm(ctx: Context, question: string): Promise<boolean> {
  ctx.io.stdout.write(`${question} [y/N] `);
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** "true", "false", or the flag given bare (commander's `[bool]` options). */
export function flagBool(value: unknown): boolean {
  return !(value === false || value === 'false' || value === '0');
}
