/** Entry point of dist/tsctl.cjs: the only place that touches process.exit. */
import { main } from './main.js';

// stdin on first use: most commands never read it, and making its stream costs a few ms
const io = { stdout: process.stdout, stderr: process.stderr, get stdin() { return process.stdin; }, env: process.env, cwd: process.cwd() };

main(process.argv.slice(2), io).then(
  (code) => {
    // Exit once stdout is flushed: gRPC channels and an open stdin must not keep the process alive.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`tsctl: ${String(err)}\n`);
    process.exit(1);
  },
);
