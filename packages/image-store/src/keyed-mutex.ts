/**
 * One holder per key within this process: the second caller for a key waits until
 * the first releases. Across processes the content store needs no lock (each
 * writer has a file of its own, see ./local-content-store.ts).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with a release function once the caller holds `key`. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  isHeld(key: string): boolean {
    return this.tails.has(key);
  }
}
