import { describe, expect, it } from 'vitest';
import { Template } from './template.js';

const run = (src: string, data: unknown): string => new Template(src).execute(data);
const doc = {
  Name: '/web', State: { Status: 'running', ExitCode: 0, Running: true }, Config: { Env: ['A=1', 'B=2'], Labels: { 'com.example.tier': 'web' } },
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' }, front: { IPAddress: '10.0.0.3' } } }, Mounts: [], Size: 1234,
};

describe('Go template subset', () => {
  it('field paths, dot and root', () => {
    expect(run('{{.State.Status}} {{.State.ExitCode}}', doc)).toBe('running 0');
    expect(run('{{with .State}}{{.Status}}/{{$.Name}}{{end}}', doc)).toBe('running//web');
    expect(run('{{.Size}}', doc)).toBe('1234');
  });

  it('a missing field prints <no value>', () => {
    expect(run('{{.Nope}}|{{.State.Nope}}|{{.Nope.Deeper}}', doc)).toBe('<no value>|<no value>|<no value>');
  });

  it('json, as a function and in a pipeline', () => {
    expect(run('{{json .Config.Env}}', doc)).toBe('["A=1","B=2"]');
    expect(run('{{.State | json}}', doc)).toBe('{"Status":"running","ExitCode":0,"Running":true}');
  });

  it('index into maps and arrays, with parentheses', () => {
    expect(run('{{index .Config.Labels "com.example.tier"}}', doc)).toBe('web');
    expect(run('{{index .Config.Env 1}}', doc)).toBe('B=2');
    expect(run('{{(index .NetworkSettings.Networks "front").IPAddress}}', doc)).toBe('10.0.0.3');
  });

  it('range over arrays and maps (sorted keys), with else', () => {
    expect(run('{{range .Config.Env}}[{{.}}]{{end}}', doc)).toBe('[A=1][B=2]');
    expect(run('{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', doc)).toBe('172.17.0.2 10.0.0.3 ');
    expect(run('{{range .Mounts}}x{{else}}none{{end}}', doc)).toBe('none');
  });

  it('if, else if, else and comparisons', () => {
    expect(run('{{if .State.Running}}up{{else}}down{{end}}', doc)).toBe('up');
    expect(run('{{if eq .State.Status "exited"}}e{{else if eq .State.Status "running"}}r{{else}}?{{end}}', doc)).toBe('r');
    expect(run('{{if not .Mounts}}no mounts{{end}}', doc)).toBe('no mounts');
    expect(run('{{if and .State.Running (gt .Size 1000)}}big{{end}}', doc)).toBe('big');
  });

  it('functions docker adds', () => {
    expect(run('{{upper .State.Status}} {{lower "ABC"}} {{join .Config.Env ","}} {{title "hello world"}}', doc)).toBe('RUNNING abc A=1,B=2 Hello World');
    expect(run('{{println .Name}}', doc)).toBe('/web\n');
    expect(run('{{printf "%s=%d" "n" 3}}', doc)).toBe('n=3');
  });

  it('comments and trim markers', () => {
    expect(run('a {{- /* gone */ -}} b', doc)).toBe('ab');
    expect(run('x  {{- .State.Status -}}  y', doc)).toBe('xrunningy');
  });

  it('prints maps and arrays as Go does', () => {
    expect(run('{{.Config.Labels}} {{.Config.Env}}', doc)).toBe('map[com.example.tier:web] [A=1 B=2]');
  });

  it.each([
    ['{{.ID', 'template 1:1: unclosed action'],
    ['ok {{if .A}}x', 'template 1:4: {{if}} has no {{end}}'],
    ['{{end}}', 'template 1:1: unexpected {{end}}'],
    ['a\n  {{nosuch .A}}', 'template 2:5: function "nosuch" not defined'],
    ['{{.A | }}', 'missing command after |'],
    ['{{"abc}}', 'unterminated quoted string'],
  ])('a syntax error names its position: %s', (src, message) => {
    expect(() => new Template(src)).toThrow(message);
  });

  it('a bad call at run time names its position', () => {
    expect(() => run('{{index .Config.Env 5}}', doc)).toThrow('template 1:1: index: index out of range: 5');
  });
});
