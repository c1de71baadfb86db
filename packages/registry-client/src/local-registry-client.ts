/**
 * The registry client in this process: one HTTP session per registry (its
 * auth state and tokens), one blob fetcher shared by every pull (so that two
 * pulls of one blob share its download), credentials from a Docker config.json.
 */
import type { ContentStore } from '@tsrun/image-store';
import { EngineError } from '@tsrun/oci-spec';
import { BlobFetcher } from './blob-fetcher.js';
import { defaultDockerConfigPath, readCredentials, removeCredentials, writeCredentials } from './docker-config.js';
import { type PullOptions, pullImage, type PullResult } from './pull.js';
import { pushImage, type PushResult } from './push.js';
import { formatReference, type ImageReference, manifestSelector, parseReference } from './reference.js';
import type { ClientPullOptions, ClientPushOptions, RegistryClient, ResolveResult } from './registry-client.js';
import { RegistryHttp } from './registry-http.js';
import { RegistryRepository } from './registry-repository.js';
import type { RetryPolicy } from './retry.js';

export interface LocalRegistryClientOptions {
  store: ContentStore;
  /** Docker config.json with `auths` (default $DOCKER_CONFIG/config.json, else ~/.docker/config.json). */
  dockerConfigPath?: string;
  /** Registries spoken to over plain HTTP (loopback always is). */
  insecureRegistries?: readonly string[];
  retry?: Partial<RetryPolicy>;
  /** Blobs fetched or uploaded at once (default 3). */
  concurrency?: number;
  /** Push: blobs up to this size in one PUT, bigger ones chunked. */
  monolithicMax?: number;
  chunkSize?: number;
}

const REGISTRY_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

function registryName(input: string): string {
  const stripped = input.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const name = stripped === 'index.docker.io' || stripped === 'registry-1.docker.io' ? 'docker.io' : stripped;
  if (!REGISTRY_RE.test(name)) throw new EngineError('invalid_argument', `registry ${JSON.stringify(input)}: not a host[:port]`);
  return name;
}

/** In this process, a pull also tells when the manifest is known and when each blob is stored (what pull-and-unpack starts on). */
export type LocalPullOptions = ClientPullOptions & Pick<PullOptions, 'onManifest' | 'onBlob'>;

export class LocalRegistryClient implements RegistryClient {
  private readonly sessions = new Map<string, RegistryHttp>();
  private readonly fetcher: BlobFetcher;
  private readonly configPath: string;

  constructor(private readonly opts: LocalRegistryClientOptions) {
    this.fetcher = new BlobFetcher(opts.store, opts.retry);
    this.configPath = opts.dockerConfigPath ?? defaultDockerConfigPath();
  }

  private session(registry: string): RegistryHttp {
    let s = this.sessions.get(registry);
    if (s === undefined) {
      s = new RegistryHttp(registry, {
        ...(this.opts.insecureRegistries && { insecureRegistries: this.opts.insecureRegistries }),
        ...(this.opts.retry && { retry: this.opts.retry }),
        credentials: (r) => readCredentials(this.configPath, r),
      });
      this.sessions.set(registry, s);
    }
    return s;
  }

  private repository(ref: ImageReference): RegistryRepository {
    return new RegistryRepository(this.session(ref.domain), ref.path, `${ref.domain}/${ref.path}`);
  }

  async pull(reference: string, opts: LocalPullOptions = {}): Promise<PullResult> {
    const ref = parseReference(reference);
    return pullImage({ store: this.opts.store, fetcher: this.fetcher, repo: this.repository(ref) }, ref, {
      ...opts,
      ...(this.opts.concurrency !== undefined && { concurrency: this.opts.concurrency }),
    });
  }

  async push(reference: string, opts: ClientPushOptions): Promise<PushResult> {
    const ref = parseReference(reference);
    return pushImage({ store: this.opts.store, repo: this.repository(ref) }, ref, {
      ...opts,
      ...(this.opts.concurrency !== undefined && { concurrency: this.opts.concurrency }),
      ...(this.opts.monolithicMax !== undefined && { monolithicMax: this.opts.monolithicMax }),
      ...(this.opts.chunkSize !== undefined && { chunkSize: this.opts.chunkSize }),
    });
  }

  async resolve(reference: string): Promise<ResolveResult> {
    const ref = parseReference(reference);
    const name = formatReference(ref);
    const repo = this.repository(ref);
    const what = `resolve ${name}`;
    const head = await repo.headManifest(manifestSelector(ref), what);
    if (head !== undefined) return { reference: name, ...head };
    const got = await repo.getManifest(manifestSelector(ref), what);
    return { reference: name, digest: got.digest, mediaType: got.mediaType, size: got.size };
  }

  async login(registry: string, username: string, password: string): Promise<void> {
    const name = registryName(registry);
    if (username === '') throw new EngineError('invalid_argument', `login ${name}: the username is empty`);
    const probe = new RegistryHttp(name, {
      ...(this.opts.insecureRegistries && { insecureRegistries: this.opts.insecureRegistries }),
      ...(this.opts.retry && { retry: this.opts.retry }),
      credentials: async () => ({ username, password }),
    });
    await probe.ping(`login ${name}`);
    await writeCredentials(this.configPath, name, { username, password });
    this.sessions.delete(name);
  }

  async logout(registry: string): Promise<boolean> {
    const name = registryName(registry);
    this.sessions.delete(name);
    return removeCredentials(this.configPath, name);
  }
}
