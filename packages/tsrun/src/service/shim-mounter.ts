/**
 * Overlay mounts for container root filesystems, through the shim's hidden
 * helpers (`tsrun __mount-overlay`, `tsrun __umount`) run by a resident
 * ShimServer: Node has no mount(2), and a spawn of util-linux mount(8) costs
 * several milliseconds.
 */
import { shimFailure } from './shim-errors.js';
import type { ShimServer } from './shim-server.js';

export interface Mounter {
  /** mount("overlay", target, "overlay", 0, options) from the directory cwd (options' paths may be relative to it).
   * Errors say `mount overlay on \`target\`: why`. */
  mountOverlay(cwd: string, options: string, target: string): Promise<void>;
  /** umount(target); nothing mounted there is an error with code not_found */
  unmount(target: string): Promise<void>;
}

export class ShimMounter implements Mounter {
  readonly #server: ShimServer;

  constructor(server: ShimServer) {
    this.#server = server;
  }

  async mountOverlay(cwd: string, options: string, target: string): Promise<void> {
    const r = await this.#server.run(['__mount-overlay', '--cwd', cwd, '--options', options, target]);
    if (r.code !== 0) throw shimFailure(undefined, r.code, r.stderr);
  }

  async unmount(target: string): Promise<void> {
    const r = await this.#server.run(['__umount', target]);
    if (r.code !== 0) throw shimFailure(undefined, r.code, r.stderr);
  }
}
