// Runs one pull in a process of its own (for tests that SIGKILL a pull):
// tsx e2e/lib/pull-child.ts <store dir> <reference>
import { LocalContentStore } from '../../packages/image-store/src/local-content-store.ts';
import { LocalRegistryClient } from '../../packages/registry-client/src/index.ts';

const [storeDir, reference] = process.argv.slice(2) as [string, string];
const store = await LocalContentStore.open(storeDir);
await new LocalRegistryClient({ store }).pull(reference, {
  onProgress: (e) => { if (e.blob.phase === 'downloading') process.stdout.write(`${e.blob.digest} ${e.blob.bytesDone}\n`); },
});
process.stdout.write('done\n');
