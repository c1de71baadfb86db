import { describe, expect, it } from 'vitest';
import { parseChallenges } from './auth-challenge.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge as Docker Hub sends it', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'))
      .toEqual([{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }]);
  });

  it('reads Basic, spaces, escapes, unquoted values and several challenges', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseChallenges('BEARER Realm = "a\\"b" , error=insufficient_scope, Basic realm=x'))
      .toEqual([{ scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } }, { scheme: 'basic', params: { realm: 'x' } }]);
    expect(parseChallenges('Bearer realm="r",scope="repository:a:pull repository:b:pull"')[0]!.params.scope)
      .toBe('repository:a:pull repository:b:pull');
  });

  it('gives nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([]);
  });
});
