/** Entry point of dist/tsrun-node.cjs: the only place that touches process.exit. */
import { main } from './main.js';

const self = process.argv[1] ?? null;
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, self).then(
  (code) => {
    // Exit once stdout is flushed: an open stdin must not keep the process alive.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`tsrun: ${String(err)}\n`);
    process.exit(1);
  },
);
