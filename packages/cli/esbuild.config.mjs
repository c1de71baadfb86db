// Bundles tsctl so that it starts fast: no module resolution at run time, the proto
// contracts inlined. Two files, because compiling one 1 MB script costs more than
// node's own start-up: dist/tsctl.cjs holds the command line (commander, the flag
// definitions) and loads dist/tsctl-commands.cjs (the commands, gRPC, the
// renderers) only when a command runs, so --version and --help never compile it.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const started = Date.now();
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions: ['development'],
  minifySyntax: true,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  define: { __TSCTL_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};
const commands = await build({
  ...common,
  entryPoints: [new URL('./src/dispatch.ts', import.meta.url).pathname],
  outfile: new URL('./dist/tsctl-commands.cjs', import.meta.url).pathname,
});
/** program.ts's `import('./dispatch.js')` becomes a require of the second file, next to the first. */
const dispatchInSecondFile = {
  name: 'dispatch-in-second-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/dispatch\.js$/ }, () => ({ path: './tsctl-commands.cjs', external: true }));
  },
};
const cli = await build({
  ...common,
  entryPoints: [new URL('./src/bin.ts', import.meta.url).pathname],
  outfile: new URL('./dist/tsctl.cjs', import.meta.url).pathname,
  banner: { js: '#!/usr/bin/env node' },
  plugins: [dispatchInSecondFile],
});
chmodSync(new URL('./dist/tsctl.cjs', import.meta.url), 0o755);
const kib = (r) => (Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0) / 1024).toFixed(0);
console.log(`bundled dist/tsctl.cjs (${kib(cli)} KiB) and dist/tsctl-commands.cjs (${kib(commands)} KiB) in ${Date.now() - started} ms`);
