import { EngineError } from '@tsrun/oci-spec';

/** What a container's network setting asks for, before anything is wired. */
export type NetworkMode =
  | { readonly kind: 'none' }
  | { readonly kind: 'host'; readonly netnsPath: string }
  | { readonly kind: 'container'; readonly containerId: string; readonly netnsPath: string }
  | { readonly kind: 'bridge'; readonly network: string };

/**
 * Docker's --network values: `none` (a new namespace with loopback only), `host` (the
 * host's namespace), `container:<id>` (join that container's namespace, whose path
 * `netnsOf` gives), or a network name.
 */
export function resolveNetworkMode(
  value: string,
  opts: { readonly hostNetns?: string; readonly defaultNetwork?: string; readonly netnsOf: (containerId: string) => string | undefined },
): NetworkMode {
  if (value === 'none') return { kind: 'none' };
  if (value === 'host') return { kind: 'host', netnsPath: opts.hostNetns ?? '/proc/1/ns/net' };
  if (value.startsWith('container:')) {
    const containerId = value.slice('container:'.length);
    if (!containerId) throw new EngineError('invalid_argument', 'network "container:": no container given');
    const netnsPath = opts.netnsOf(containerId);
    if (!netnsPath) throw new EngineError('not_found', `network ${JSON.stringify(value)}: container ${containerId} has no network namespace`);
    return { kind: 'container', containerId, netnsPath };
  }
  return { kind: 'bridge', network: value === '' || value === 'default' ? opts.defaultNetwork ?? 'bridge' : value };
}
