import { describe, expect, it } from 'vitest';
import { parseEnv, parseEnvFile, parseFilters, parseLabels } from './env.js';

describe('environment flags', () => {
  const env = { HOME: '/root', EMPTY: '' };

  it('-e KEY takes the value from here, and drops an unset one', () => {
    expect(parseEnv('A=1', env)).toBe('A=1');
    expect(parseEnv('A=', env)).toBe('A=');
    expect(parseEnv('HOME', env)).toBe('HOME=/root');
    expect(parseEnv('EMPTY', env)).toBe('EMPTY=');
    expect(parseEnv('UNSET', env)).toBeUndefined();
    expect(() => parseEnv('=x', env)).toThrow('invalid argument "=x" for "-e, --env" flag: no variable name');
  });

  it('--env-file reads KEY=VAL lines, comments and blanks', () => {
    const text = '# settings\n\nA=1\n  B=two words\nHOME\nUNSET\nQ="kept as written"\r\n';
    expect(parseEnvFile(text, 'app.env', env)).toEqual(['A=1', 'B=two words', 'HOME=/root', 'Q="kept as written"']);
    expect(() => parseEnvFile('A=1\nBAD KEY=2\n', 'app.env', env)).toThrow('invalid argument "app.env" for "--env-file" flag: line 2');
  });

  it('labels and filters', () => {
    expect(parseLabels(['a=1', 'b', 'c=x=y'])).toEqual({ a: '1', b: '', c: 'x=y' });
    expect(parseFilters(['status=exited', 'label=a=b', 'status=created'])).toEqual({ status: { values: ['exited', 'created'] }, label: { values: ['a=b'] } });
    expect(() => parseFilters(['nokey'])).toThrow('invalid argument "nokey" for "-f, --filter" flag: expected key=value');
  });
});
