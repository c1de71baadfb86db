/**
 * The HTTP side of one registry: its base URL (TLS unless the registry is
 * loopback or configured insecure), authentication (anonymous, Basic, or
 * Bearer tokens from the WWW-Authenticate challenge, cached per scope), and
 * bounded retries of transient failures, honouring 429's Retry-After.
 */
import { EngineError, wrapError } from '@tsrun/oci-spec';
import { type Challenge, parseChallenges } from './auth-challenge.js';
import type { Credentials } from './docker-config.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, sleep } from './retry.js';

export interface RegistryHttpOptions {
  /** Registries (host or host:port) spoken to over plain HTTP; loopback always is. */
  insecureRegistries?: readonly string[];
  /** Where the credentials come from (e.g. a Docker config.json). */
  credentials?: (registry: string) => Promise<Credentials | undefined>;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  signal?: AbortSignal;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path from the registry root (`/v2/...`) or an absolute URL (upload locations). */
  url: string;
  /** Token scopes the request needs, e.g. `repository:library/busybox:pull`. */
  scopes: readonly string[];
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** What is being done, for error messages: `pull localhost:5000/x:1: manifest`. */
  what: string;
}

interface Token {
  value: string;
  expiresAt: number;
}

const TRANSIENT_STATUS = new Set([408, 500, 502, 503, 504]);

function hostOnly(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(0, registry.indexOf(']') + 1);
  return registry.split(':')[0]!;
}

export function isLoopbackRegistry(registry: string): boolean {
  const host = hostOnly(registry);
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The API host: Docker Hub's registry is registry-1.docker.io. */
export function apiHostOf(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** Statuses a caller did not expect, as EngineErrors carrying the registry's own error text. */
export async function statusError(res: Response, what: string): Promise<EngineError> {
  let detail = '';
  try {
    const text = res.status === 405 || res.headers.get('content-type')?.includes('json') ? await res.text() : '';
    const body = text ? JSON.parse(text) as { errors?: { code?: string; message?: string }[] } : {};
    detail = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    detail = '';
  }
  await res.body?.cancel().catch(() => undefined);
  const code = res.status === 404 ? 'not_found'
    : res.status === 401 || res.status === 403 ? 'permission_denied'
      : res.status === 400 || res.status === 416 ? 'invalid_argument'
        : res.status === 405 ? 'unimplemented'
          : res.status === 429 ? 'resource_exhausted'
            : 'unavailable';
  return new EngineError(code, `${what}: registry answered ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`);
}

export class RegistryHttp {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly opts: RegistryHttpOptions;
  private readonly retry: RetryPolicy;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly pendingTokens = new Map<string, Promise<Token>>();
  private creds: Promise<Credentials | undefined> | undefined;

  constructor(registry: string, opts: RegistryHttpOptions = {}) {
    this.registry = registry;
    this.opts = opts;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    const insecure = isLoopbackRegistry(registry)
      || (opts.insecureRegistries ?? []).some((r) => r === registry || r === hostOnly(registry));
    this.baseUrl = `${insecure ? 'http' : 'https'}://${apiHostOf(registry)}`;
  }

  private credentials(): Promise<Credentials | undefined> {
    this.creds ??= this.opts.credentials?.(this.registry) ?? Promise.resolve(undefined);
    return this.creds;
  }

  /** Use these credentials from now on (login). */
  setCredentials(creds: Credentials | undefined): void {
    this.creds = Promise.resolve(creds);
    this.tokens.clear();
  }

  private async authorization(scopes: readonly string[], refresh: boolean): Promise<string | undefined> {
    const challenge = this.challenge;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') {
      const c = await this.credentials();
      return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
    }
    if (challenge.scheme !== 'bearer') return undefined;
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (!refresh && cached !== undefined && cached.expiresAt > Date.now() + 5_000) return `Bearer ${cached.value}`;
    let pending = this.pendingTokens.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(challenge, scopes).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return `Bearer ${token.value}`;
  }

  private async fetchToken(challenge: Challenge, scopes: readonly string[]): Promise<Token> {
    const realm = challenge.params.realm;
    const what = `token for ${this.registry}${scopes.length ? ` (${scopes.join(' ')})` : ''}`;
    if (!realm) throw new EngineError('permission_denied', `${what}: the Bearer challenge has no realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch (err) {
      throw wrapError(err, `${what}: realm ${JSON.stringify(realm)}`, 'invalid_argument');
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'tsrun' };
    const c = await this.credentials();
    if (c) {
      headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
      url.searchParams.set('account', c.username);
    }
    const res = await this.send(url.toString(), { method: 'GET', headers }, what);
    if (res.status !== 200) throw await statusError(res, what);
    const body = await res.json() as { token?: string; access_token?: string; expires_in?: number };
    const value = body.token ?? body.access_token;
    if (!value) throw new EngineError('permission_denied', `${what}: the token server answered without a token`);
    return { value, expiresAt: Date.now() + (body.expires_in ?? 60) * 1000 };
  }

  /** fetch with the transient-failure policy (network errors, 5xx, 408, 429). */
  private async send(url: string, init: RequestInit, what: string): Promise<Response> {
    for (let attempt = 1; ; attempt += 1) {
      let res: Response;
      try {
        res = await fetch(url, { ...init, ...(this.opts.signal && { signal: this.opts.signal }) });
      } catch (err) {
        if (this.opts.signal?.aborted) throw wrapError(err, what, 'canceled');
        // a PATCH that broke may have appended part of its chunk: not blindly resent
        if (attempt >= this.retry.attempts || init.method === 'PATCH') {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          throw new EngineError('unavailable', `${what}: ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message} (after ${attempt} attempts)`, { cause: err });
        }
        await sleep(backoffDelay(this.retry, attempt), this.opts.signal);
        continue;
      }
      if (res.status === 429) {
        const wait = parseRetryAfter(res.headers.get('retry-after')) ?? backoffDelay(this.retry, attempt);
        if (attempt >= this.retry.attempts || wait > this.retry.maxRetryAfterMs) {
          throw await statusError(res, `${what}: rate limited${wait > this.retry.maxRetryAfterMs ? ` (Retry-After ${Math.ceil(wait / 1000)} s)` : ''}`);
        }
        await res.body?.cancel().catch(() => undefined);
        await sleep(wait, this.opts.signal);
        continue;
      }
      if (TRANSIENT_STATUS.has(res.status) && attempt < this.retry.attempts) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(backoffDelay(this.retry, attempt), this.opts.signal);
        continue;
      }
      return res;
    }
  }

  /** One request, authenticated as the registry demands; the response whatever its status (but 401 after auth). */
  async request(req: RegistryRequest): Promise<Response> {
    const url = req.url.startsWith('/') ? `${this.baseUrl}${req.url}` : req.url;
    let refreshed = false;
    for (;;) {
      const headers: Record<string, string> = {
        'user-agent': this.opts.userAgent ?? 'tsrun',
        'accept-encoding': 'identity',
        ...req.headers,
      };
      let auth: string | undefined;
      try {
        auth = await this.authorization(req.scopes, refreshed);
      } catch (err) {
        throw wrapError(err, req.what);
      }
      if (auth !== undefined) headers.authorization = auth;
      const res = await this.send(url, { method: req.method, headers, ...(req.body && { body: req.body }) }, req.what);
      if (res.status !== 401 || refreshed) {
        if (res.status === 401) {
          const who = (await this.credentials()) ? 'the credentials were refused' : 'no credentials (tsrun login)';
          await res.body?.cancel().catch(() => undefined);
          throw new EngineError('permission_denied', `${req.what}: unauthorized: ${who}`);
        }
        return res;
      }
      const challenges = parseChallenges(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel().catch(() => undefined);
      const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (chosen === undefined) throw new EngineError('permission_denied', `${req.what}: unauthorized, and the registry offers no Basic or Bearer challenge`);
      this.challenge = chosen;
      refreshed = true;
    }
  }

  /** GET /v2/ with the current credentials: throws permission_denied when refused (login). */
  async ping(what: string): Promise<void> {
    const res = await this.request({ method: 'GET', url: '/v2/', scopes: [], what });
    if (res.status !== 200) throw await statusError(res, what);
    await res.body?.cancel().catch(() => undefined);
  }
}
