// One ingest in a process of its own, for the content store's cross-process tests:
//   node --conditions=development --import tsx test-ingest-child.ts <root> <ref> <data file> <digest> [<stop after bytes>]
// Opens the store, prints "ready", waits for a line on stdin, then writes the
// file in 64 KiB chunks and commits, printing {"offset", "blob"} or {"error"}.
// With <stop after bytes> it prints "stopped" after that many bytes and waits
// (to be killed) instead of committing.
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { LocalContentStore } from './local-content-store.js';

const [root, ref, file, digest, stopAt] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const data = readFileSync(file);
const store = await LocalContentStore.open(root);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const ingest = await store.ingest(ref, { digest, size: data.length });
  const start = ingest.offset;
  for (let at = start; at < data.length; at += 65536) {
    const end = Math.min(at + 65536, data.length, stopAt !== undefined && at < Number(stopAt) ? Number(stopAt) : Infinity);
    await ingest.write(data.subarray(at, end));
    if (stopAt !== undefined && end === Number(stopAt)) {
      process.stdout.write('stopped\n');
      await new Promise(() => undefined);
    }
    at = end - 65536;
    await new Promise((r) => setImmediate(r));
  }
  const blob = await ingest.commit();
  process.stdout.write(`${JSON.stringify({ offset: start, blob })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: { code: (err as { code?: string }).code, message: (err as Error).message } })}\n`);
}
process.exit(0);
