/**
 * Device nodes, fifos, whiteouts and extended attributes. Node has no mknod(2)
 * or setxattr(2), and a process per entry would dominate the unpack time, so the
 * applier collects these rare entries and makes them with ONE helper process per
 * layer and kind: `sh` looping over `mknod` with every name passed as an argument
 * (never interpolated into the script), and `setfattr -h --restore=-` (Debian's
 * `attr`) reading an escaped dump on stdin from inside the snapshot directory.
 */
import { spawn } from 'node:child_process';
import { EngineError } from '@tsrun/oci-spec';

export interface SpecialNode {
  /** Absolute path, already checked to lie inside the snapshot. */
  path: string;
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
}

export interface XattrSet {
  /** Path relative to the snapshot root. */
  rel: string;
  xattrs: Map<string, Buffer>;
}

const MKNOD_LOOP = [
  'while [ "$#" -gt 0 ]; do',
  '  if [ "$2" = p ]; then mknod -m 0600 -- "$1" p || exit 1; shift 4',
  '  else mknod -m 0600 -- "$1" "$2" "$3" "$4" || exit 1; shift 4; fi',
  'done',
].join('\n');

/** Arguments per call: well under ARG_MAX even with long names. */
const BATCH = 2000;

function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer }, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: [opts.input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 4096) stderr += d; });
    child.on('error', (err) => reject(new EngineError('unavailable', `${what}: cannot run ${cmd}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new EngineError('internal', `${what}: ${cmd} exited with ${code}: ${stderr.trim()}`));
    });
    if (opts.input) child.stdin!.end(opts.input);
  });
}

export async function makeNodes(nodes: readonly SpecialNode[], what: string): Promise<void> {
  for (let i = 0; i < nodes.length; i += BATCH) {
    const args = nodes.slice(i, i + BATCH).flatMap((n) => [n.path, n.kind, String(n.major), String(n.minor)]);
    await run('sh', ['-c', MKNOD_LOOP, 'mknod-batch', ...args], {}, `${what}: device nodes`);
  }
}

const PLAIN = /[A-Za-z0-9._/+@:,~-]/;

/** getfattr's quoting, which setfattr --restore undoes: anything unusual as a 3-digit octal escape. */
export function quoteAttrText(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && PLAIN.test(ch) ? ch : `\\${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

export function xattrDump(sets: readonly XattrSet[]): Buffer {
  let out = '';
  for (const { rel, xattrs } of sets) {
    out += `# file: ${quoteAttrText(Buffer.from(rel === '' ? '.' : rel))}\n`;
    for (const [name, value] of xattrs) out += `${quoteAttrText(Buffer.from(name))}=0s${value.toString('base64')}\n`;
    out += '\n';
  }
  return Buffer.from(out);
}

export async function setXattrs(root: string, sets: readonly XattrSet[], what: string): Promise<void> {
  if (sets.length === 0) return;
  await run('setfattr', ['-h', '--restore=-'], { cwd: root, input: xattrDump(sets) }, `${what}: extended attributes`);
}
