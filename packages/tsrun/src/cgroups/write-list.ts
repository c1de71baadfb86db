import type { PlanCgroupWrite } from '../plan/plan-types.js';
import { invalidField } from '../plan/invalid.js';

/** What resource translation needs to know about the container's cgroup on this host. */
export interface CgroupTarget {
  version: 1 | 2;
  /** The container's directory for a controller, or null when the controller is not available. */
  dirOf(controller: string): string | null;
  /** Whether the controller offers this interface file on this host. */
  hasFile(controller: string, file: string): boolean;
  /** The file's current value in the container's cgroup (for updates), or null. */
  current(controller: string, file: string): string | null;
}

/** Collects ordered writes, failing with the config field when a controller is missing. */
export class WriteList {
  readonly writes: PlanCgroupWrite[] = [];
  constructor(readonly target: CgroupTarget) {}

  add(controller: string, file: string, value: string | number, field: string): void {
    const dir = this.target.dirOf(controller);
    if (dir === null) throw invalidField(field, `the ${controller} controller is not available on this host`);
    this.writes.push({ dir, file, value: String(value) });
  }
}

export const deviceNumber = (n: number | undefined): string => (n === undefined || n < 0 ? '*' : String(n));

/** Hugepage sizes as the kernel names its files: "2MB", "1GB", "64KB". */
export function checkPageSize(pageSize: string, field: string): string {
  if (!/^[0-9]+[KMGT]B$/.test(pageSize)) throw invalidField(field, `${JSON.stringify(pageSize)} is not a page size like "2MB"`);
  return pageSize;
}
