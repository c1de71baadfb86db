/**
 * The shim's attach socket speaks Docker's multiplexed stream framing: an
 * 8-byte header [stream, 0, 0, 0, size uint32 BE] then the payload. Output:
 * stream 1 stdout, 2 stderr. Input: 0 stdin data, 3 close stdin, 4 resize
 * (rows, cols as uint16 BE).
 */
export const STREAM = { stdin: 0, stdout: 1, stderr: 2, closeStdin: 3, resize: 4 } as const;

export function frame(stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(Math.max(0, Math.min(rows, 0xffff)), 0);
  p.writeUInt16BE(Math.max(0, Math.min(cols, 0xffff)), 2);
  return frame(STREAM.resize, p);
}

/** Reassembles frames from a byte stream. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: number; payload: Buffer }> {
    this.#buf = this.#buf.length > 0 ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Array<{ stream: number; payload: Buffer }> = [];
    while (this.#buf.length >= 8) {
      const size = this.#buf.readUInt32BE(4);
      if (this.#buf.length < 8 + size) break;
      out.push({ stream: this.#buf[0]!, payload: Buffer.from(this.#buf.subarray(8, 8 + size)) });
      this.#buf = this.#buf.subarray(8 + size);
    }
    return out;
  }
}
