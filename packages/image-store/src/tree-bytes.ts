/** Blocks on disk of a tree, each hard-linked inode once, never crossing into another filesystem (a mount). */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes allocated to the tree at `dir` (0 when absent); `seen` shares hard links across calls. */
export async function treeBytes(dir: string, seen = new Set<string>()): Promise<number> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top) return 0;
  let total = 0;
  const visit = async (path: string, st: Awaited<ReturnType<typeof lstat>>): Promise<void> => {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    total += Number(st.blocks) * 512;
    if (!st.isDirectory()) return;
    for (const name of await readdir(path)) {
      const child = join(path, name);
      const cst = await lstat(child).catch(() => undefined);
      // another filesystem below (a container's mounted rootfs) is not the store's
      if (cst && cst.dev === top.dev) await visit(child, cst);
    }
  };
  await visit(dir, top);
  return total;
}
