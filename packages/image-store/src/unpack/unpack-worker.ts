/**
 * Worker thread entry: runs the same openLayerTar + applyLayer as the main thread
 * would, on a layer blob whose bytes arrive over a MessagePort (so any
 * ContentStore works). Replies with the ApplyResult or the error as {code, message}:
 * EngineErrors keep their code and message, anything else is wrapped as the
 * snapshotter would wrap it.
 */
import { Readable } from 'node:stream';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { EngineError, wrapError } from '@tsrun/oci-spec';
import { applyLayer } from './apply-layer.js';
import { openLayerTar } from './decompress.js';
import type { BlobMessage, JobReply, JobRequest } from './worker-protocol.js';

/** The blob as a Readable: each chunk is acknowledged once consumed, which is the sender's flow control. */
function blobFromPort(port: MessagePort): Readable {
  let owed = 0;
  const stream = new Readable({
    read() {
      for (; owed > 0; owed -= 1) port.postMessage('ack');
    },
  });
  port.on('message', (msg: BlobMessage) => {
    if (msg.type === 'chunk') {
      if (stream.push(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength))) port.postMessage('ack');
      else owed += 1;
    } else if (msg.type === 'end') {
      stream.push(null);
      port.close();
    } else {
      stream.destroy(Object.assign(new Error(msg.message), { code: msg.errno }));
      port.close();
    }
  });
  return stream;
}

async function run(job: JobRequest): Promise<JobReply> {
  const blob = blobFromPort(job.port);
  try {
    const { tar } = await openLayerTar(blob, job.mediaType);
    return { id: job.id, result: await applyLayer(tar, job.dest, job.what) };
  } catch (err) {
    const e = err instanceof EngineError ? err : wrapError(err, job.what);
    return { id: job.id, error: { code: e.code, message: e.message } };
  } finally {
    blob.destroy();
    job.port.close();
  }
}

parentPort!.on('message', (job: JobRequest) => {
  void run(job).then((reply) => parentPort!.postMessage(reply));
});
