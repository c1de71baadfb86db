/**
 * Progress of a pull or push: one event per change of a blob, each carrying
 * the totals. Bytes never go down (a layer that has to start over keeps
 * showing what it had reached until it passes it again).
 */
export type Phase = 'waiting' | 'downloading' | 'uploading' | 'verifying' | 'done' | 'exists' | 'extracting' | 'complete';

export interface BlobProgress {
  digest: string;
  /** config, layer, manifest or index */
  kind: string;
  phase: Phase;
  bytesDone: number;
  bytesTotal: number;
}

export interface TotalProgress {
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
}

export interface ProgressEvent {
  blob: BlobProgress;
  total: TotalProgress;
}

export type ProgressListener = (event: ProgressEvent) => void;

const MIN_INTERVAL_MS = 100;

export class ProgressTracker {
  private readonly blobs = new Map<string, BlobProgress & { lastEmit: number }>();

  constructor(private readonly listener: ProgressListener | undefined) {}

  /** Registers the blobs up front so that the totals are known from the first event. */
  add(digest: string, kind: string, size: number): void {
    if (this.blobs.has(digest)) return;
    const b = { digest, kind, phase: 'waiting' as Phase, bytesDone: 0, bytesTotal: size, lastEmit: 0 };
    this.blobs.set(digest, b);
    this.emit(b);
  }

  update(digest: string, phase: Phase, bytesDone?: number): void {
    const b = this.blobs.get(digest);
    if (b === undefined) return;
    const done = phase === 'done' || phase === 'exists' ? b.bytesTotal : Math.max(b.bytesDone, Math.min(bytesDone ?? b.bytesDone, b.bytesTotal));
    if (b.phase === 'done' || b.phase === 'exists') return;
    const changedPhase = b.phase !== phase;
    b.phase = phase;
    b.bytesDone = done;
    const now = Date.now();
    if (changedPhase || now - b.lastEmit >= MIN_INTERVAL_MS) {
      b.lastEmit = now;
      this.emit(b);
    }
  }

  totals(): TotalProgress {
    let bytesDone = 0;
    let bytesTotal = 0;
    let blobsDone = 0;
    for (const b of this.blobs.values()) {
      bytesDone += b.bytesDone;
      bytesTotal += b.bytesTotal;
      if (b.phase === 'done' || b.phase === 'exists') blobsDone += 1;
    }
    return { bytesDone, bytesTotal, blobsDone, blobsTotal: this.blobs.size };
  }

  private emit(b: BlobProgress & { lastEmit: number }): void {
    if (this.listener === undefined) return;
    const { lastEmit: _, ...blob } = b;
    this.listener({ blob, total: this.totals() });
  }
}
