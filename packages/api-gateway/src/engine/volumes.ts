/**
 * Named volumes, local driver: <data-root>/volumes/<name>/_data with a
 * volume.json beside it (written atomically). Docker's rules: a volume a
 * container uses is not removed unless forced; prune removes the unused ones.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { writeJsonAtomic } from '@tsrun/runtime';

export interface VolumeRecord {
  name: string;
  driver: string;
  mountpoint: string;
  created: string;
  labels: Record<string, string>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class VolumeStore {
  /** which containers use a volume, from the engine */
  usedBy: (name: string) => string[] = () => [];

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    for (const n of readdirSync(root)) if (n.startsWith('.removing-')) rmSync(join(root, n), { recursive: true, force: true });
  }

  #check(name: string): void {
    if (!NAME.test(name)) throw new EngineError('invalid_argument', `volume name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }

  pathOf(name: string): string {
    this.#check(name);
    return join(this.root, name, '_data');
  }

  create(name: string, driver = 'local', labels: Record<string, string> = {}): VolumeRecord {
    const n = name === '' ? randomBytes(32).toString('hex') : name;
    this.#check(n);
    if (driver !== '' && driver !== 'local') throw new EngineError('invalid_argument', `volume driver ${JSON.stringify(driver)}: only "local" is supported`);
    const existing = this.#read(n);
    if (existing) return existing;
    const dir = join(this.root, n);
    mkdirSync(join(dir, '_data'), { recursive: true, mode: 0o755 });
    const rec: VolumeRecord = { name: n, driver: 'local', mountpoint: join(dir, '_data'), created: new Date().toISOString(), labels };
    writeJsonAtomic(join(dir, 'volume.json'), rec);
    return rec;
  }

  /** Creates the volume if it does not exist yet (as `-v name:/path` does). */
  async ensure(name: string): Promise<VolumeRecord> {
    return this.create(name);
  }

  #read(name: string): VolumeRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.root, name, 'volume.json'), 'utf8')) as VolumeRecord;
    } catch {
      return undefined;
    }
  }

  inspect(name: string): VolumeRecord {
    this.#check(name);
    const rec = this.#read(name);
    if (!rec) throw new EngineError('not_found', `no such volume: ${name}`);
    return rec;
  }

  list(): VolumeRecord[] {
    return readdirSync(this.root).sort().map((n) => this.#read(n)).filter((v): v is VolumeRecord => v !== undefined);
  }

  remove(name: string, force = false): void {
    this.inspect(name);
    const users = this.usedBy(name);
    if (users.length > 0 && !force) throw new EngineError('failed_precondition', `remove ${name}: volume is in use by ${users.join(', ')}`);
    // renamed away first, so that a crash mid-removal never leaves a half-deleted volume under its name
    const doomed = join(this.root, `.removing-${name}-${randomBytes(4).toString('hex')}`);
    renameSync(join(this.root, name), doomed);
    rmSync(doomed, { recursive: true, force: true });
  }

  prune(): string[] {
    const removed: string[] = [];
    for (const v of this.list()) {
      if (this.usedBy(v.name).length > 0) continue;
      this.remove(v.name);
      removed.push(v.name);
    }
    return removed;
  }
}
