import { describe, expect, it } from 'vitest';
import { EngineError } from '@tsrun/oci-spec';
import { parseChanges } from './changes.js';
import { thrownEngineError } from './thrown.js';

const failure = (changes: string[]): EngineError => thrownEngineError(() => parseChanges(changes));

describe('parseChanges', () => {
  it('is empty without changes', () => {
    expect(parseChanges([])).toEqual({});
  });

  it('CMD and ENTRYPOINT in JSON form', () => {
    expect(parseChanges(['CMD ["nginx", "-g", "daemon off;"]', 'ENTRYPOINT ["/docker-entrypoint.sh"]'])).toEqual({
      Cmd: ['nginx', '-g', 'daemon off;'], Entrypoint: ['/docker-entrypoint.sh'],
    });
  });

  it('CMD and ENTRYPOINT in shell form, and JSON that is not a list of strings', () => {
    expect(parseChanges(['cmd echo "hi there"', 'ENTRYPOINT  exec  top -b '])).toEqual({
      Cmd: ['/bin/sh', '-c', 'echo "hi there"'], Entrypoint: ['/bin/sh', '-c', 'exec  top -b'],
    });
    expect(parseChanges(['CMD [1, 2]']).Cmd).toEqual(['/bin/sh', '-c', '[1, 2]']);
    expect(parseChanges(['CMD [not json']).Cmd).toEqual(['/bin/sh', '-c', '[not json']);
  });

  it('WORKDIR, USER, STOPSIGNAL', () => {
    expect(parseChanges(['WORKDIR /app ', 'USER nobody:nogroup', 'STOPSIGNAL SIGQUIT'])).toEqual({
      WorkingDir: '/app', User: 'nobody:nogroup', StopSignal: 'SIGQUIT',
    });
  });

  it('a later instruction of the same kind wins', () => {
    expect(parseChanges(['USER a', 'USER b'])).toEqual({ User: 'b' });
  });

  it('ENV replaces a base variable in place and appends new ones', () => {
    const base = { Env: ['PATH=/usr/bin:/bin', 'LANG=C'] };
    expect(parseChanges(['ENV LANG=C.UTF-8 DEBUG=1'], base)).toEqual({ Env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'DEBUG=1'] });
    expect(base.Env).toEqual(['PATH=/usr/bin:/bin', 'LANG=C']);
  });

  it('ENV builds on the previous ENV of the same call', () => {
    expect(parseChanges(['ENV A=1', 'ENV B=2', 'ENV A=3'], { Env: ['Z=0'] })).toEqual({ Env: ['Z=0', 'A=3', 'B=2'] });
  });

  it('ENV with quoted values, empty values and = inside values', () => {
    expect(parseChanges(['ENV GREETING="hello world" EMPTY= Q=\'a b\' URL=http://x/?a=b ESC=a\\ b'])).toEqual({
      Env: ['GREETING=hello world', 'EMPTY=', 'Q=a b', 'URL=http://x/?a=b', 'ESC=a b'],
    });
  });

  it('ENV in the older key value form', () => {
    expect(parseChanges(['ENV DEBUG true'])).toEqual({ Env: ['DEBUG=true'] });
    expect(parseChanges(['ENV MOTD hello  "big world"'])).toEqual({ Env: ['MOTD=hello big world'] });
  });

  it('ENV or LABEL that is neither form is refused', () => {
    expect(failure(['ENV A=1 B']).message).toBe('--change "ENV A=1 B": "B" is not of the form key=value');
    expect(failure(['ENV A=1 =2']).code).toBe('invalid_argument');
    expect(failure(['ENV LONELY ']).message).toBe('--change "ENV LONELY ": want key=value ... or key value');
  });

  it('LABEL merges with the base labels', () => {
    expect(parseChanges(['LABEL version=2 description="my app"', 'LABEL maintainer=me'], { Labels: { version: '1', team: 'x' } })).toEqual({
      Labels: { version: '2', team: 'x', description: 'my app', maintainer: 'me' },
    });
    expect(parseChanges(['LABEL description a web server'])).toEqual({ Labels: { description: 'a web server' } });
  });

  it('EXPOSE adds tcp by default and merges with the base ports', () => {
    expect(parseChanges(['EXPOSE 80 53/udp', 'EXPOSE 8443/tcp'], { ExposedPorts: { '22/tcp': {} } })).toEqual({
      ExposedPorts: { '22/tcp': {}, '80/tcp': {}, '53/udp': {}, '8443/tcp': {} },
    });
  });

  it('refuses an unknown instruction or one without arguments', () => {
    const unknown = failure(['RUN apt-get update']);
    expect(unknown.code).toBe('invalid_argument');
    expect(unknown.message).toBe('--change "RUN apt-get update": RUN is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR');
    expect(failure(['CMD']).message).toBe('--change "CMD": want INSTRUCTION arguments');
    expect(failure(['']).code).toBe('invalid_argument');
  });
});
