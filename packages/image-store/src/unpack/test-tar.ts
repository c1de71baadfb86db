/** Test helper: builds layer tarballs entry by entry with tar-stream's packer. */
import { pack, type Header } from 'tar-stream';
import { buffer } from 'node:stream/consumers';

export type TarEntry = Partial<Header> & { name: string; body?: string | Buffer; pax?: Record<string, string> };

export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const p = pack();
  const out = buffer(p);
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      const full = { mtime: new Date(1_700_000_000_000), uid: 0, gid: 0, ...header };
      if (body !== undefined || full.type === 'file' || full.type === undefined) p.entry(full, body ?? '', done);
      else p.entry(full, done).end();
    });
  }
  p.finalize();
  return out;
}
