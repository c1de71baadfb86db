/**
 * Pull and push progress. One model for both renderers: per-layer phase and bytes,
 * and totals that never go down (the daemon promises it; the model enforces it, so a
 * bar never jumps back). Not a TTY: docker's plain lines, one per layer phase change.
 * A TTY: a cli-progress MultiBar, one bar per layer and a total bar.
 */
import type { OutStream } from '../context.js';
import type { Progress } from '../client/wire.js';
import { humanSize, shortId } from './humanize.js';

export type Phase = 'waiting' | 'downloading' | 'uploading' | 'verifying' | 'done' | 'exists' | 'extracting' | 'complete';
export type Direction = 'pull' | 'push';

export interface LayerState {
  id: string;
  phase: Phase;
  done: number;
  total: number;
}

export interface Totals { done: number; total: number; blobsDone: number; blobsTotal: number }

const PULL_WORDS: Readonly<Record<Phase, string>> = {
  waiting: 'Waiting', downloading: 'Downloading', uploading: 'Uploading', verifying: 'Verifying Checksum', done: 'Download complete', exists: 'Already exists',
  extracting: 'Extracting', complete: 'Pull complete',
};
const PUSH_WORDS: Readonly<Record<Phase, string>> = {
  waiting: 'Waiting', downloading: 'Downloading', uploading: 'Pushing', verifying: 'Pushing', done: 'Pushed', exists: 'Layer already exists',
  extracting: 'Extracting', complete: 'Pushed',
};

function phaseOf(wire: string): Phase {
  return wire.replace(/^PHASE_/, '').toLowerCase() as Phase;
}

/** What one progress event changed: the layer (if it is one) and whether its phase is new. */
export interface Change { layer?: LayerState; firstSeen: boolean; phaseChanged: boolean }

export class ProgressModel {
  readonly layers = new Map<string, LayerState>();
  readonly totals: Totals = { done: 0, total: 0, blobsDone: 0, blobsTotal: 0 };
  /** whether any layer had to be transferred (docker's "Downloaded newer image" vs "Image is up to date") */
  transferred = false;

  constructor(readonly direction: Direction) {}

  apply(p: Progress): Change {
    const t = p.total;
    if (t) {
      this.totals.total = Math.max(this.totals.total, Number(t.bytesTotal));
      this.totals.done = Math.max(this.totals.done, Number(t.bytesDone));
      this.totals.blobsTotal = Math.max(this.totals.blobsTotal, t.blobsTotal);
      this.totals.blobsDone = Math.max(this.totals.blobsDone, t.blobsDone);
    }
    const b = p.blob;
    if (!b || b.kind !== 'layer') return { firstSeen: false, phaseChanged: false };
    const phase = phaseOf(b.phase);
    let layer = this.layers.get(b.digest);
    const firstSeen = layer === undefined;
    if (layer === undefined) {
      layer = { id: shortId(b.digest), phase, done: 0, total: 0 };
      this.layers.set(b.digest, layer);
    }
    const phaseChanged = firstSeen || layer.phase !== phase;
    layer.phase = phase;
    layer.total = Math.max(layer.total, Number(b.bytesTotal));
    layer.done = ['done', 'exists', 'extracting', 'complete'].includes(phase) ? layer.total : Math.max(layer.done, Number(b.bytesDone));
    if (phase === 'downloading' || phase === 'uploading') this.transferred = true;
    return { layer, firstSeen, phaseChanged };
  }

  word(phase: Phase): string {
    return (this.direction === 'pull' ? PULL_WORDS : PUSH_WORDS)[phase];
  }
}

export interface ProgressRenderer {
  update(p: Progress): void;
  /** Ends the bars (if any) so that lines can follow. */
  stop(): void;
  readonly model: ProgressModel;
}

/** docker's lines when stdout is not a terminal: "<id>: Pulling fs layer", then one line per phase change. */
export class PlainProgress implements ProgressRenderer {
  readonly model: ProgressModel;

  constructor(private readonly out: OutStream, direction: Direction) {
    this.model = new ProgressModel(direction);
  }

  update(p: Progress): void {
    const { layer, firstSeen, phaseChanged } = this.model.apply(p);
    if (layer === undefined || !phaseChanged) return;
    if (firstSeen && layer.phase !== 'exists') this.out.write(`${layer.id}: ${this.model.direction === 'pull' ? 'Pulling fs layer' : 'Preparing'}\n`);
    if (!firstSeen || layer.phase !== 'waiting') this.out.write(`${layer.id}: ${this.model.word(layer.phase)}\n`);
  }

  stop(): void {}
}

type Bar = { update(value: number, payload?: object): void; setTotal(total: number): void };
type MultiBarLike = { create(total: number, start: number, payload?: object): Bar; stop(): void };

/** One bar per layer and a total bar, on a terminal. */
export class BarsProgress implements ProgressRenderer {
  readonly model: ProgressModel;
  private readonly bars = new Map<string, Bar>();
  private total: Bar | undefined;

  constructor(private readonly multibar: MultiBarLike, direction: Direction) {
    this.model = new ProgressModel(direction);
  }

  update(p: Progress): void {
    const { layer } = this.model.apply(p);
    if (layer !== undefined) {
      let bar = this.bars.get(layer.id);
      if (bar === undefined) {
        bar = this.multibar.create(layer.total || 1, layer.done, barPayload(layer.id, this.model.word(layer.phase), layer.done, layer.total));
        this.bars.set(layer.id, bar);
      }
      bar.setTotal(layer.total || 1);
      bar.update(layer.done, barPayload(layer.id, this.model.word(layer.phase), layer.done, layer.total));
    }
    const t = this.model.totals;
    this.total ??= this.multibar.create(t.total || 1, 0, barPayload('Total', '', 0, t.total));
    this.total.setTotal(t.total || 1);
    this.total.update(t.done, barPayload('Total', `${t.blobsDone}/${t.blobsTotal} blobs`, t.done, t.total));
  }

  stop(): void {
    this.multibar.stop();
  }
}

function barPayload(id: string, phase: string, done: number, total: number): object {
  return { id: id.padEnd(12), phase: phase.padEnd(18), bytes: `${humanSize(done, 3)}/${humanSize(total, 3)}` };
}

/** The renderer for `out`: bars on a terminal, lines elsewhere. */
export async function progressFor(out: OutStream, direction: Direction): Promise<ProgressRenderer> {
  if (!out.isTTY) return new PlainProgress(out, direction);
  const mod = await import('cli-progress');
  const { MultiBar, Presets } = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const multibar = new MultiBar({
    stream: out as NodeJS.WritableStream,
    format: '{id} {phase} [{bar}] {bytes}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    autopadding: true,
  }, Presets.shades_classic);
  return new BarsProgress(multibar, direction);
}
