/** Messages between the snapshotter's worker pool and unpack-worker.ts. */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorCode } from '@tsrun/oci-spec';
import type { ApplyResult } from './apply-layer.js';

export interface JobRequest {
  id: number;
  /** The empty directory the layer is applied into. */
  dest: string;
  mediaType: string;
  /** Prefix of every error, as applyLayer takes it. */
  what: string;
  /** Carries the blob: BlobMessages in, 'ack' (one per consumed chunk) out. */
  port: MessagePort;
}

export type BlobMessage =
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string; errno?: string };

export type JobReply =
  | { id: number; result: ApplyResult }
  | { id: number; error: { code: ErrorCode; message: string } };
