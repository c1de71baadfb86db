/**
 * The extended attributes of a whole tree, read by ONE `getfattr -R` process
 * (Debian's `attr`): Node has no getxattr(2), and a process per file would cost
 * more than the commit itself. Values come hex-encoded (`-e hex`), so binary
 * ones such as security.capability survive; paths and names come with getfattr's
 * octal escapes, undone here byte for byte.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineError } from '@tsrun/oci-spec';

/** Undoes getfattr's quoting (`\ooo` octal bytes, `\\`) on a latin1 view of its output, then reads it as UTF-8. */
function unquote(text: string): string {
  const latin1 = text.replace(/\\([0-7]{3})|\\\\/g, (m, oct: string | undefined) => (oct ? String.fromCharCode(Number.parseInt(oct, 8)) : '\\'));
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

/** Parses `getfattr -d -m - -e hex --absolute-names` output: absolute path → (name → value). */
export function parseGetfattr(output: Buffer): Map<string, Map<string, Buffer>> {
  const out = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of output.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      out.set(unquote(line.slice('# file: '.length)), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) continue;
    const value = line.slice(eq + 1);
    current.set(unquote(line.slice(0, eq)), value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value.replace(/^"|"$/g, ''), 'latin1'));
  }
  return out;
}

export async function readTreeXattrs(dir: string, what: string): Promise<Map<string, Map<string, Buffer>>> {
  try {
    const { stdout } = await promisify(execFile)('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', dir], {
      encoding: 'buffer', maxBuffer: 256 << 20,
    });
    return parseGetfattr(stdout);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new EngineError('internal', `${what}: getfattr -R ${dir}: ${stderr || (err as Error).message}`, { cause: err });
  }
}
