import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, resolveAddress } from './address.js';

describe('resolveAddress', () => {
  it('flag, then TSD_HOST, then the default socket', () => {
    expect(resolveAddress({ host: 'unix:///tmp/a.sock' }, { TSD_HOST: 'unix:///tmp/b.sock' })).toMatchObject({ kind: 'unix', target: 'unix:///tmp/a.sock', path: '/tmp/a.sock' });
    expect(resolveAddress({}, { TSD_HOST: 'unix:///tmp/b.sock' })).toMatchObject({ path: '/tmp/b.sock' });
    expect(resolveAddress({}, {})).toMatchObject({ kind: 'unix', display: DEFAULT_HOST, path: '/run/tsd/tsd.sock' });
    expect(resolveAddress({ host: '' }, { TSD_HOST: '' })).toMatchObject({ display: DEFAULT_HOST });
  });

  it('tcp is TLS with client certificates, from flags or TSD_CERT_PATH', () => {
    expect(resolveAddress({ host: 'tcp://10.0.0.5:2376' }, { TSD_CERT_PATH: '/etc/tsd/client' })).toEqual({
      kind: 'tcp', display: 'tcp://10.0.0.5:2376', target: '10.0.0.5:2376',
      tls: { ca: '/etc/tsd/client/ca.pem', cert: '/etc/tsd/client/cert.pem', key: '/etc/tsd/client/key.pem' },
    });
    expect(resolveAddress({ host: 'tcp://h:2376', tlscacert: '/x/ca', tlscert: '/x/c', tlskey: '/x/k' }, {})).toMatchObject({ tls: { ca: '/x/ca', cert: '/x/c', key: '/x/k' } });
    expect(resolveAddress({ host: 'tcp://[::1]:2376' }, { TSD_CERT_PATH: '/c' })).toMatchObject({ target: '[::1]:2376' });
  });

  it('tcp without certificates is refused: never plain TCP', () => {
    expect(() => resolveAddress({ host: 'tcp://10.0.0.5:2376' }, {})).toThrow('tsd over TCP needs TLS with a client certificate: set --tlscacert, --tlscert, --tlskey or TSD_CERT_PATH');
    expect(() => resolveAddress({ host: 'tcp://10.0.0.5:2376', tlscacert: '/ca' }, {})).toThrow('set --tlscert, --tlskey or TSD_CERT_PATH');
  });

  it('rejects what it cannot use, naming the flag or the variable', () => {
    expect(() => resolveAddress({ host: 'http://x' }, {})).toThrow('invalid argument "http://x" for "-H, --host" flag: expected unix:///path or tcp://HOST:PORT');
    expect(() => resolveAddress({}, { TSD_HOST: 'tcp://nohost' })).toThrow('TSD_HOST=tcp://nohost: expected tcp://HOST:PORT');
    expect(() => resolveAddress({ host: 'unix://relative.sock' }, {})).toThrow('must be absolute');
  });
});
