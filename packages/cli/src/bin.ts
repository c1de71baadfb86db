/** Entry point of dist/tsctl.cjs: the only place that touches process.exit. */
import { main } from './main.js';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }).then(
  (code) => {
    // Exit once stdout is flushed: gRPC channels and an open stdin must not keep the process alive.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`tsctl: ${String(err)}\n`);
    process.exit(1);
  },
);
