import { EngineError } from '@tsrun/oci-spec/errors';

/** JSON pointer of a config.json field, e.g. pointer('linux', 'namespaces', 2) -> "/linux/namespaces/2". */
export function pointer(...parts: Array<string | number>): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The error for a config.json field tsrun rejects: "config.json: /linux/sysctl/net.ipv4.ip_forward: <reason>". */
export function invalidField(path: string, reason: string, source = 'config.json'): EngineError {
  return new EngineError('invalid_argument', `${source}: ${path === '' ? '/' : path}: ${reason}`);
}
