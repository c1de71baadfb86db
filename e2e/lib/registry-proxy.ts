// A proxy in front of a test registry that logs every request and can break
// them on purpose: drop the connection part-way through a body, corrupt a
// body's bytes, or answer 429 with Retry-After. The Host header is passed on
// unchanged, so the registry's upload locations point back at the proxy.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

export type Fault =
  | { kind: 'drop'; afterBytes: number }
  | { kind: 'corrupt' }
  | { kind: 'slow'; bytesPerTick: number; tickMs: number }
  /** forwards without the Range header, as a registry that cannot serve ranges */
  | { kind: 'no-range' }
  | { kind: 'status'; status: number; headers?: Record<string, string> };

export interface LoggedRequest { method: string; url: string; range?: string; status?: number }

/** Decides, per request, whether to break it (return undefined to pass it through). */
export type FaultRule = (method: string, url: string) => Fault | undefined;

export interface RegistryProxy {
  host: string;
  log: LoggedRequest[];
  setRule(rule: FaultRule | undefined): void;
  stop(): Promise<void>;
}

export async function startRegistryProxy(target: string): Promise<RegistryProxy> {
  const log: LoggedRequest[] = [];
  let rule: FaultRule | undefined;
  const [thost, tport] = target.split(':') as [string, string];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const entry: LoggedRequest = { method: req.method ?? '', url: req.url ?? '', ...(req.headers.range && { range: req.headers.range }) };
    log.push(entry);
    const fault = rule?.(entry.method, entry.url);
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      req.resume();
      res.writeHead(fault.status, fault.headers ?? {}).end();
      return;
    }
    const headers = { ...req.headers };
    if (fault?.kind === 'no-range') delete headers.range;
    const up = httpRequest({ host: thost, port: Number(tport), method: req.method, path: req.url, headers }, (upRes) => {
      entry.status = upRes.statusCode;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (fault === undefined || fault.kind === 'no-range') {
        upRes.pipe(res);
        return;
      }
      if (fault.kind === 'slow') {
        upRes.on('data', (c: Buffer) => {
          upRes.pause();
          let at = 0;
          const tick = () => {
            if (res.destroyed) return;
            res.write(c.subarray(at, at + fault.bytesPerTick));
            at += fault.bytesPerTick;
            setTimeout(at < c.length ? tick : () => upRes.resume(), fault.tickMs);
          };
          tick();
        });
        upRes.on('end', () => res.end());
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        if (fault.kind === 'drop') {
          // flushed, then the socket cut: the client sees a body that ends short
          res.write(body.subarray(0, fault.afterBytes), () => res.socket?.destroy());
        } else {
          const i = Math.floor(body.length / 2);
          if (body.length > 0) body[i] = body[i]! ^ 0xff;
          res.end(body);
        }
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    log,
    setRule(r) { rule = r; },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A rule that breaks only the first `times` requests that `match` picks. */
export function faultOnce(match: (method: string, url: string) => boolean, fault: Fault, times = 1): FaultRule {
  let left = times;
  return (method, url) => {
    if (left > 0 && match(method, url)) {
      left -= 1;
      return fault;
    }
    return undefined;
  };
}
