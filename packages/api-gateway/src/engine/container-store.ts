/**
 * The engine's container records: one directory per container under
 * <data-root>/containers/<id>/ with container.json (written atomically), the
 * bundle, the files bind-mounted into /etc and the log. Kept in memory, read
 * back on start-up (live restore).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '@tsrun/oci-spec';
import { writeJsonAtomic } from '@tsrun/runtime';
import type { ContainerConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/ContainerConfig.js';
import type { EndpointInfo__Output } from '@tsrun/proto/generated/tsrun/engine/v1/EndpointInfo.js';
import type { HostConfig__Output } from '@tsrun/proto/generated/tsrun/engine/v1/HostConfig.js';
import type { MountPoint__Output } from '@tsrun/proto/generated/tsrun/engine/v1/MountPoint.js';
import type { PortBinding__Output } from '@tsrun/proto/generated/tsrun/engine/v1/PortBinding.js';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: string;
  imageId: string;
  config: ContainerConfig__Output;
  hostConfig: HostConfig__Output;
  hostname: string;
  path: string;
  args: string[];
  rootfs: string;
  dir: string;
  logPath: string;
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  mounts: MountPoint__Output[];
  networks: EndpointInfo__Output[];
  ports: PortBinding__Output[];
  /** a runtime task exists for it (created at start, deleted after exit) */
  task: boolean;
  /** stopped by a person (stop, kill): the restart policy stays out of it */
  manuallyStopped: boolean;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class ContainerStore {
  readonly #byId = new Map<string, ContainerRecord>();
  readonly #names = new Map<string, string>();

  /** where removed containers' directories wait to be deleted, off the request's path */
  readonly #trash: string;

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    this.#trash = join(root, '.trash');
    mkdirSync(this.#trash, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.#trash)) this.#empty(join(this.#trash, name));
  }

  /** Reads every record back; a directory without a readable record is left for the caller to clean. */
  load(): { records: ContainerRecord[]; broken: string[] } {
    const records: ContainerRecord[] = [];
    const broken: string[] = [];
    for (const id of readdirSync(this.root)) {
      if (id.startsWith('.')) continue;
      try {
        const r = JSON.parse(readFileSync(join(this.root, id, 'container.json'), 'utf8')) as ContainerRecord;
        this.#byId.set(r.id, r);
        this.#names.set(r.name, r.id);
        records.push(r);
      } catch {
        broken.push(join(this.root, id));
      }
    }
    return { records, broken };
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  /** Claims the name, or fails naming the container that has it. */
  reserve(name: string, id: string): void {
    if (!NAME.test(name)) throw new EngineError('invalid_argument', `invalid container name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const holder = this.#names.get(name);
    if (holder !== undefined && holder !== id) {
      throw new EngineError('already_exists', `the container name "/${name}" is already in use by container ${holder}: remove (or rename) that container to be able to reuse that name`);
    }
    this.#names.set(name, id);
  }

  release(name: string, id: string): void {
    if (this.#names.get(name) === id) this.#names.delete(name);
  }

  save(r: ContainerRecord): void {
    if (!this.#byId.has(r.id)) mkdirSync(r.dir, { recursive: true, mode: 0o711 });
    writeJsonAtomic(join(r.dir, 'container.json'), r);
    this.#byId.set(r.id, r);
  }

  /**
   * Forgets the container. Its directory leaves at once (one rename into the trash,
   * record and all) and is deleted in the background: unlinking its files costs
   * milliseconds on a slow disk. A crash leaves it in the trash, emptied on the next start.
   */
  delete(r: ContainerRecord): void {
    const gone = join(this.#trash, r.id);
    try {
      renameSync(r.dir, gone);
      this.#empty(gone);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(r.dir, { recursive: true, force: true });
    }
    this.#byId.delete(r.id);
    this.release(r.name, r.id);
  }

  #empty(dir: string): void {
    // best effort: what is left is retried on the next start
    rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  all(): ContainerRecord[] {
    return [...this.#byId.values()];
  }

  /** By full id, name, or unique id prefix (as Docker resolves references). */
  find(ref: string): ContainerRecord {
    if (ref === '') throw new EngineError('invalid_argument', 'a container id or name is required');
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const exact = this.#byId.get(ref) ?? this.#byId.get(this.#names.get(name) ?? '');
    if (exact) return exact;
    const matches = [...this.#byId.values()].filter((r) => r.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new EngineError('invalid_argument', `multiple containers match the id prefix ${JSON.stringify(ref)}`);
    throw new EngineError('not_found', `no such container: ${ref}`);
  }
}
