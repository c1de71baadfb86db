/**
 * One holder per key within this process: the second caller for a key waits until
 * the first releases. The store's single writer is the daemon, so an in-process
 * lock is enough; a second process writing the same ingest is not supported.
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
