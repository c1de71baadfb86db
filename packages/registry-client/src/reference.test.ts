import { describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec';
import { familiarReference, formatReference, manifestSelector, parseReference, repositoryOf } from './reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseReference: normalisation as Docker does it', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/user/app:v1', 'docker.io/user/app:v1'],
    ['user/app', 'docker.io/user/app:latest'],
    ['user/app/sub', 'docker.io/user/app/sub:latest'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    ['127.0.0.1:5000/x:1', '127.0.0.1:5000/x:1'],
    ['[::1]:5000/x', '[::1]:5000/x:latest'],
    ['quay.io/coreos/etcd', 'quay.io/coreos/etcd:latest'],
    ['my-registry.example.com:443/team/app', 'my-registry.example.com:443/team/app:latest'],
    ['Registry.Example/app', 'Registry.Example/app:latest'],
    ['UpperHost/app', 'UpperHost/app:latest'],
    ['localhost', 'docker.io/library/localhost:latest'],
    ['localhost:5000', 'docker.io/library/localhost:5000'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`],
    [`host:5000/repo:tag@${D}`, `host:5000/repo:tag@${D}`],
    [`host:5000/repo@${D}`, `host:5000/repo@${D}`],
    ['ab_c__d-e--f/g.h_i', 'docker.io/ab_c__d-e--f/g.h_i:latest'],
    ['x:_tag', 'docker.io/library/x:_tag'],
    ['x:A.b-C_1', 'docker.io/library/x:A.b-C_1'],
    [`x:${'t'.repeat(128)}`, `docker.io/library/x:${'t'.repeat(128)}`],
  ])('%s -> %s', (input, canonical) => {
    expect(formatReference(parseReference(input))).toBe(canonical);
  });

  it('splits domain, path, tag and digest', () => {
    expect(parseReference(`host:5000/a/b:t@${D}`)).toEqual({ domain: 'host:5000', path: 'a/b', tag: 't', digest: D });
    expect(parseReference('busybox')).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    expect(parseReference(`busybox@${D}`)).toEqual({ domain: 'docker.io', path: 'library/busybox', digest: D });
  });

  it('leaves the tag out when asked', () => {
    expect(parseReference('busybox', { defaultTag: false })).toEqual({ domain: 'docker.io', path: 'library/busybox' });
    expect(() => manifestSelector(parseReference('busybox', { defaultTag: false }))).toThrow(/neither a tag nor a digest/);
  });

  it('gives the repository, the familiar form and the selector', () => {
    const r = parseReference('busybox:1');
    expect(repositoryOf(r)).toBe('docker.io/library/busybox');
    expect(familiarReference(r)).toBe('busybox:1');
    expect(familiarReference(parseReference('user/app'))).toBe('user/app:latest');
    expect(familiarReference(parseReference('localhost:5000/x'))).toBe('localhost:5000/x:latest');
    expect(manifestSelector(r)).toBe('1');
    expect(manifestSelector(parseReference(`x:1@${D}`))).toBe(D);
  });
});

describe('parseReference: rejections name the reference and the fault', () => {
  it.each([
    ['', /is empty/],
    [' busybox', /white space/],
    ['Busybox', /must be lowercase/],
    ['user/App', /must be lowercase/],
    ['localhost:5000/App', /must be lowercase/],
    ['busybox:', /invalid tag ""/],
    ['busybox:.x', /invalid tag ".x"/],
    ['busybox:-x', /invalid tag "-x"/],
    ['busybox:a/b', /invalid registry "busybox:a"/],
    [`busybox:${'t'.repeat(129)}`, /invalid tag/],
    ['busybox@', /invalid digest ""/],
    ['busybox@sha256:abc', /invalid digest "sha256:abc"/],
    [`busybox@md5:${'a'.repeat(32)}`, /invalid digest/],
    [`busybox@sha256:${'AB'.repeat(32)}`, /invalid digest/],
    [':tag', /no repository name/],
    [`@${D}`, /no repository name/],
    ['localhost:5000/', /no repository path/],
    ['a//b', /empty path component/],
    ['a/b/', /empty path component/],
    ['-a', /invalid path component "-a"/],
    ['a-', /invalid path component "a-"/],
    ['a..b', /invalid path component "a..b"/],
    ['a___b', /invalid path component "a___b"/],
    ['a.-b', /invalid path component/],
    ['bad_host.com:port/x', /invalid registry "bad_host.com:port"/],
    ['a_b.c/g', /invalid registry "a_b.c"/],
    ['-host.com/x', /invalid registry "-host.com"/],
    ['ab'.repeat(32), /image ID, not a repository/],
    [`x/${'a'.repeat(260)}`, /longer than 255/],
  ])('%j', (input, why) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_argument');
    expect((err as EngineError).message).toContain(`image reference ${JSON.stringify(input)}`);
    expect((err as EngineError).message).toMatch(why);
  });

  it('accepts a 64-hex path under an explicit registry', () => {
    expect(parseReference(`localhost/${'ab'.repeat(32)}`).path).toBe('ab'.repeat(32));
  });
});
