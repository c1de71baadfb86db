/**
 * What the planner asks of the host, behind one interface so that tests feed
 * fixture mountinfo, cgroup files and bundle trees without root.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';

export type PathKind = 'dir' | 'file' | 'other' | 'missing';

export interface PlannerHost {
  /** realpath(3); throws the fs error when the path does not resolve. */
  realpath(path: string): string;
  kind(path: string): PathKind;
  /** A file's text, or null when it cannot be read. */
  readFile(path: string): string | null;
  exists(path: string): boolean;
}

export const realHost: PlannerHost = {
  realpath: (path) => realpathSync(path),
  kind(path) {
    try {
      const st = statSync(path);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return 'missing';
    }
  },
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  exists: (path) => existsSync(path),
};
