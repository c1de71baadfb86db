/**
 * Where tsd listens, as docker finds dockerd: the -H flag, else TSD_HOST, else the
 * default socket. TCP always means TLS with a client certificate: never plain TCP.
 */
import { join } from 'node:path';
import { FlagError, UsageError } from '../errors.js';

export const DEFAULT_HOST = 'unix:///run/tsd/tsd.sock';

export interface ConnectionFlags {
  host?: string | undefined;
  tlscacert?: string | undefined;
  tlscert?: string | undefined;
  tlskey?: string | undefined;
}

export type DaemonAddress =
  | { kind: 'unix'; display: string; target: string; path: string }
  | { kind: 'tcp'; display: string; target: string; tls: { ca: string; cert: string; key: string } };

/** Resolves flags and environment into the gRPC target; `display` is what messages show. */
export function resolveAddress(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): DaemonAddress {
  const fromFlag = flags.host !== undefined && flags.host !== '';
  const host = fromFlag ? flags.host! : env['TSD_HOST'] || DEFAULT_HOST;
  const bad = (why: string): Error => (fromFlag ? new FlagError('-H, --host', host, why) : new UsageError(`TSD_HOST=${host}: ${why}`));
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw bad('a unix socket path must be absolute (unix:///run/tsd/tsd.sock)');
    return { kind: 'unix', display: host, target: `unix://${path}`, path };
  }
  if (host.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})\/?$/.exec(host);
    if (!m || Number(m[2]) > 65535 || Number(m[2]) === 0) throw bad('expected tcp://HOST:PORT');
    const certDir = env['TSD_CERT_PATH'];
    const pick = (flag: string | undefined, file: string): string | undefined => flag || (certDir ? join(certDir, file) : undefined);
    const ca = pick(flags.tlscacert, 'ca.pem');
    const cert = pick(flags.tlscert, 'cert.pem');
    const key = pick(flags.tlskey, 'key.pem');
    if (ca === undefined || cert === undefined || key === undefined) {
      const missing = [ca ?? '--tlscacert', cert ?? '--tlscert', key ?? '--tlskey'].filter((f) => f.startsWith('--'));
      throw new UsageError(`${host}: tsd over TCP needs TLS with a client certificate: set ${missing.join(', ')} or TSD_CERT_PATH (a directory with ca.pem, cert.pem, key.pem)`);
    }
    return { kind: 'tcp', display: host, target: `${m[1]}:${m[2]}`, tls: { ca, cert, key } };
  }
  throw bad('expected unix:///path or tcp://HOST:PORT');
}
