// Bundles tsctl so that it starts fast: no module resolution at run time, the proto
// contracts inlined. Two files, because compiling one 1 MB script costs more than
// node's own start-up: dist/tsctl.cjs holds the command line (commander, the flag
// definitions) and loads dist/tsctl-commands.cjs (the commands, gRPC, the
// renderers) only when a command runs, so --version and --help never compile it;
// when it does, it compiles it with a V8 code cache (src/commands-loader.ts).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dist = new URL('./dist/', import.meta.url);
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
  // import() as require(): the commands file is compiled by commands-loader.ts, which
  // gives it no ESM loader (and node's import() of a CommonJS file would first scan
  // all of it for its exports)
  supported: { 'dynamic-import': false },
};
const commandsFile = new URL('tsctl-commands.cjs', dist);
const commands = await build({
  ...common,
  entryPoints: [new URL('./src/dispatch.ts', import.meta.url).pathname],
  outfile: commandsFile.pathname,
  // grpc-js requires proto-loader only to serve channelz and ORCA, which a client never does
  external: ['@grpc/proto-loader'],
});
// the file ends with its digest, which the entry knows: a cache is only used or made
// for the commands file of the same build (installs swap the two files one by one)
const digest = createHash('sha256').update(readFileSync(commandsFile)).digest('hex').slice(0, 16);
appendFileSync(commandsFile, `//# tsctl-commands ${digest}\n`);
for (const f of readdirSync(dist)) if (f.endsWith('.v8cache')) rmSync(new URL(f, dist));
/** program.ts's `import('./dispatch.js')` becomes the loader of the second file. */
const dispatchInSecondFile = {
  name: 'dispatch-in-second-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/dispatch\.js$/ }, () => ({ path: new URL('./src/commands-loader.ts', import.meta.url).pathname }));
  },
};
const cli = await build({
  ...common,
  entryPoints: [new URL('./src/bin.ts', import.meta.url).pathname],
  outfile: new URL('tsctl.cjs', dist).pathname,
  define: { ...common.define, __TSCTL_COMMANDS_DIGEST__: JSON.stringify(digest) },
  // NODE_EXTRA_CA_CERTS makes node parse every root certificate before it runs a line
  // (~50 ms); tsctl's only TLS is to tsd, with the CA that --tlscacert names
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  plugins: [dispatchInSecondFile],
});
chmodSync(new URL('tsctl.cjs', dist), 0o755);
const kib = (r) => (Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0) / 1024).toFixed(0);
console.log(`bundled dist/tsctl.cjs (${kib(cli)} KiB) and dist/tsctl-commands.cjs (${kib(commands)} KiB) in ${Date.now() - started} ms`);
