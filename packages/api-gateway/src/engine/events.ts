/** The engine's events: a bounded history for `--since`, and live subscribers. */
export interface EngineEvent {
  type: 'container' | 'image' | 'network' | 'volume';
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** unix nanoseconds */
  timeNano: bigint;
}

export type EventListener = (e: EngineEvent) => void;

const HISTORY = 1000;

export class EventBus {
  readonly #history: EngineEvent[] = [];
  readonly #listeners = new Set<EventListener>();

  emit(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const e: EngineEvent = { type, action, id, attributes, timeNano: BigInt(Date.now()) * 1_000_000n };
    this.#history.push(e);
    if (this.#history.length > HISTORY) this.#history.shift();
    for (const l of this.#listeners) l(e);
  }

  /** Recorded events since `since` (unix nanoseconds), then live ones until the returned function is called. */
  subscribe(listener: EventListener, since?: bigint): () => void {
    if (since !== undefined) for (const e of this.#history) if (e.timeNano >= since) listener(e);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
