/**
 * One exec stream served over gRPC, the same for the runtime's Exec and the
 * engine's: the first message that `startOf` recognises opens the session;
 * stdin, close-stdin and resize messages go to it (those that came before it
 * was open are kept for it); its output goes back, then exactly one exit code.
 * A session of null (a detached exec) ends the stream at once with code 0.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { toStatus } from '@tsrun/proto';
import type { ExecSession } from './types.js';

export interface ExecStreamInput {
  stdin?: Buffer | null;
  closeStdin?: boolean;
  resize?: { rows: number; cols: number } | null;
}

type ExecStreamOutput = { stdout: Buffer } | { stderr: Buffer } | { exitCode: number };

export function relayExec<In extends ExecStreamInput, Start, Out>(
  call: ServerDuplexStream<In, Out>, startOf: (m: In) => Start | null | undefined, open: (start: Start) => Promise<ExecSession | null>,
): void {
  const send = (m: ExecStreamOutput): void => void call.write(m as Out);
  let session: ExecSession | undefined;
  let started = false;
  const early: In[] = [];
  const feed = (m: In): void => {
    if (!session) return void early.push(m);
    if (m.stdin) session.write(m.stdin);
    else if (m.closeStdin) session.closeStdin();
    else if (m.resize) session.resize(m.resize.rows, m.resize.cols);
  };
  call.on('data', (m: In) => {
    const start = startOf(m);
    if (!start) return feed(m);
    if (started) return;
    started = true;
    (async () => {
      const s = await open(start);
      if (s === null) {
        send({ exitCode: 0 });
        call.end();
        return;
      }
      session = s;
      s.onStdout((d) => send({ stdout: d }));
      s.onStderr((d) => send({ stderr: d }));
      for (const e of early.splice(0)) feed(e);
      const exitCode = await s.exited;
      send({ exitCode });
      call.end();
    })().catch((err: unknown) => call.emit('error', toStatus(err)));
  });
  call.on('end', () => session?.closeStdin());
  call.on('cancelled', () => session?.cancel());
}
