/**
 * Binding the daemon's sockets: unix sockets owned by root and the tsd group
 * (0660), TCP only with TLS and required client certificates.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { EngineError } from '@tsrun/oci-spec';
import type { TlsFiles } from './config.js';

export function groupId(name: string): number | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
    return line === undefined ? undefined : Number(line.split(':')[2]);
  } catch {
    return undefined;
  }
}

function tlsCredentials(tls: TlsFiles | undefined, host: string): ServerCredentials {
  if (!tls) throw new EngineError('invalid_argument', `--host ${host}: TCP needs --tlscacert, --tlscert and --tlskey (tsd never listens on TCP without TLS)`);
  const read = (path: string, flag: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new EngineError('invalid_argument', `${flag} ${path}: ${(err as Error).message}`);
    }
  };
  return ServerCredentials.createSsl(read(tls.ca, '--tlscacert'), [{ cert_chain: read(tls.cert, '--tlscert'), private_key: read(tls.key, '--tlskey') }], true);
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** Binds one host; returns the gRPC address clients use. */
export async function listen(server: Server, host: string, opts: { tls?: TlsFiles; group?: string; mode?: number }): Promise<string> {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw new EngineError('invalid_argument', `--host ${host}: the socket path must be absolute`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    try {
      unlinkSync(path);
    } catch {
      // no stale socket
    }
    try {
      await bind(server, `unix://${path}`, ServerCredentials.createInsecure());
    } catch (err) {
      throw new EngineError('unavailable', `listen on ${host}: ${(err as Error).message}`);
    }
    const gid = opts.group ? groupId(opts.group) : undefined;
    chmodSync(path, gid === undefined ? 0o600 : opts.mode ?? 0o660);
    if (gid !== undefined) chownSync(path, 0, gid);
    return `unix://${path}`;
  }
  if (host.startsWith('tcp://')) {
    const addr = host.slice('tcp://'.length);
    if (!/^[^/]+:\d+$/.test(addr)) throw new EngineError('invalid_argument', `--host ${host}: want tcp://HOST:PORT`);
    try {
      const port = await bind(server, addr, tlsCredentials(opts.tls, host));
      return addr.replace(/:\d+$/, `:${port}`);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('unavailable', `listen on ${host}: ${(err as Error).message}`);
    }
  }
  throw new EngineError('invalid_argument', `--host ${JSON.stringify(host)}: want unix:///path or tcp://host:port`);
}
