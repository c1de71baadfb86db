import { describe, expect, it } from 'vitest';
import { apiHostOf, isLoopbackRegistry, RegistryHttp, statusError } from './registry-http.js';

describe('registry endpoints', () => {
  it('speaks TLS unless the registry is loopback or configured insecure', () => {
    expect(new RegistryHttp('docker.io').baseUrl).toBe('https://registry-1.docker.io');
    expect(new RegistryHttp('quay.io').baseUrl).toBe('https://quay.io');
    expect(new RegistryHttp('localhost:5000').baseUrl).toBe('http://localhost:5000');
    expect(new RegistryHttp('localhost').baseUrl).toBe('http://localhost');
    expect(new RegistryHttp('127.0.0.1:5000').baseUrl).toBe('http://127.0.0.1:5000');
    expect(new RegistryHttp('[::1]:5000').baseUrl).toBe('http://[::1]:5000');
    expect(new RegistryHttp('10.0.0.1:5000').baseUrl).toBe('https://10.0.0.1:5000');
    expect(new RegistryHttp('reg.lan:5000', { insecureRegistries: ['reg.lan:5000'] }).baseUrl).toBe('http://reg.lan:5000');
    expect(new RegistryHttp('reg.lan:5000', { insecureRegistries: ['reg.lan'] }).baseUrl).toBe('http://reg.lan:5000');
    expect(new RegistryHttp('reg.lan:5000', { insecureRegistries: ['other.lan'] }).baseUrl).toBe('https://reg.lan:5000');
    expect(isLoopbackRegistry('localhost.example.com')).toBe(false);
    expect(apiHostOf('docker.io')).toBe('registry-1.docker.io');
  });

  it('turns unexpected statuses into EngineErrors with the registry\'s own error text', async () => {
    const body = JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] });
    const e = await statusError(new Response(body, { status: 403, statusText: 'Forbidden', headers: { 'content-type': 'application/json' } }), 'push x');
    expect(e).toMatchObject({ code: 'permission_denied', message: 'push x: registry answered 403 Forbidden (DENIED: requested access to the resource is denied)' });
    expect(await statusError(new Response('oops', { status: 502, statusText: 'Bad Gateway' }), 'pull y')).toMatchObject({ code: 'unavailable', message: 'pull y: registry answered 502 Bad Gateway' });
    expect((await statusError(new Response(null, { status: 404 }), 'z')).code).toBe('not_found');
    expect((await statusError(new Response(null, { status: 429 }), 'z')).code).toBe('resource_exhausted');
  });
});
