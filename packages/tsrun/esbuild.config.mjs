// Bundles the Node side of tsrun into one CommonJS file that starts fast:
// no module resolution at run time, schemas inlined, command modules evaluated lazily.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const started = Date.now();
const result = await build({
  entryPoints: [new URL('./src/cli/bin.ts', import.meta.url).pathname],
  outfile: new URL('./dist/tsrun-node.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions: ['development'],
  minifySyntax: true,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __TSRUN_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
chmodSync(new URL('./dist/tsrun-node.cjs', import.meta.url), 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled dist/tsrun-node.cjs (${(bytes / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms`);
