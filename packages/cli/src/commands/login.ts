/** docker login and logout over RegistryService (tsd keeps the credentials). */
import { createInterface } from 'node:readline';
import { text } from 'node:stream/consumers';
import type { Context, Status } from '../context.js';
import { UsageError } from '../errors.js';
import { doing, out } from './common.js';

const DEFAULT_REGISTRY = 'docker.io';

async function prompt(ctx: Context, question: string, hidden: boolean): Promise<string> {
  ctx.io.stdout.write(question);
  const raw = hidden && ctx.io.stdin.isTTY && typeof ctx.io.stdin.setRawMode === 'function';
  if (raw) ctx.io.stdin.setRawMode!(true);
  try {
    if (raw) {
      // read without echo, up to Enter; ^C aborts
      return await new Promise<string>((resolve, reject) => {
        let value = '';
        const onData = (chunk: Buffer | string): void => {
          for (const ch of chunk.toString()) {
            if (ch === '\r' || ch === '\n') { ctx.io.stdin.off('data', onData); ctx.io.stdin.pause(); ctx.io.stdout.write('\n'); resolve(value); return; }
            if (ch === '\u0003') { ctx.io.stdin.off('data', onData); ctx.io.stdin.pause(); reject(new UsageError('login: canceled')); return; }
            if (ch === '\u007f') value = value.slice(0, -1);
            else value += ch;
          }
        };
        ctx.io.stdin.on('data', onData);
        ctx.io.stdin.resume();
      });
    }
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    try {
      return await new Promise<string>((resolve) => {
        rl.once('line', resolve);
        rl.once('close', () => resolve(''));
      });
    } finally {
      rl.close();
    }
  } finally {
    if (raw) ctx.io.stdin.setRawMode!(false);
  }
}

export async function login(ctx: Context, server: string | undefined, opts: { username?: string; password?: string; passwordStdin?: boolean }): Promise<Status> {
  const registry = server ?? DEFAULT_REGISTRY;
  let password = opts.password;
  if (opts.passwordStdin) {
    if (password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (opts.username === undefined) throw new UsageError('must provide --username with --password-stdin');
    password = (await text(ctx.io.stdin)).replace(/\r?\n$/, '');
  } else if (password !== undefined) {
    ctx.io.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  const username = opts.username ?? (await prompt(ctx, 'Username: ', false)).trim();
  if (username === '') throw new UsageError('login: a username is required');
  password ??= await prompt(ctx, 'Password: ', true);
  if (password === '') throw new UsageError('login: a password is required');
  const d = await ctx.daemon();
  await doing(`login ${registry}`, () => d.call(d.registry, 'Login', { registry, username, password }));
  out(ctx, 'Login Succeeded\n');
  return 0;
}

export async function logout(ctx: Context, server: string | undefined): Promise<Status> {
  const registry = server ?? DEFAULT_REGISTRY;
  const d = await ctx.daemon();
  const r = await doing(`logout ${registry}`, () => d.call(d.registry, 'Logout', { registry }));
  out(ctx, r?.removed ? `Removing login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
  return 0;
}
