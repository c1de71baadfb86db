/**
 * The registry client's contract: what the local implementation and the gRPC
 * client proxy both implement, and what the conformance suite checks.
 */
import type { Platform } from './media-types.js';
import type { ProgressListener } from './progress.js';
import type { PullResult } from './pull.js';
import type { PushOptions, PushResult } from './push.js';

export interface ResolveResult {
  /** The fully qualified reference. */
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface ClientPullOptions {
  /** `os/arch[/variant]` objects; linux/amd64 when absent. */
  platform?: Platform;
  onProgress?: ProgressListener;
}

export interface ClientPushOptions extends Pick<PushOptions, 'manifest' | 'mountFrom'> {
  onProgress?: ProgressListener;
}

export interface RegistryClient {
  /** Pulls an image into the content store. */
  pull(reference: string, opts?: ClientPullOptions): Promise<PullResult>;
  /** Pushes a manifest (or index) of the content store under a reference. */
  push(reference: string, opts: ClientPushOptions): Promise<PushResult>;
  /** The digest a reference names now in its registry, without pulling. */
  resolve(reference: string): Promise<ResolveResult>;
  /** Verifies the credentials against the registry, then stores them. */
  login(registry: string, username: string, password: string): Promise<void>;
  /** Forgets a registry's credentials; false when there were none. */
  logout(registry: string): Promise<boolean>;
}
