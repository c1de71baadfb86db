/**
 * The subset of Go's text/template that docker's --format uses, written here because
 * no maintained npm package implements Go templates (the few that try are
 * unmaintained and miss pipelines or {{- -}}). Supported: text; {{.A.B}}, {{.}}, {{$}},
 * {{$.A}}; string, number and boolean literals; pipelines {{.X | json}}; parentheses;
 * {{if}}/{{else if}}/{{else}}/{{end}}, {{range}} (with {{else}}), {{with}};
 * {{/* comments *\/}}; {{- and -}} trimming; and docker's functions plus Go's
 * comparison and logic builtins (FUNCTIONS below). A field that is not there prints
 * "<no value>", as Go does for a map.
 */
import { EngineError } from '@tsrun/oci-spec/errors';

export class TemplateError extends EngineError {
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

type Operand =
  | { kind: 'field'; base: 'dot' | 'root'; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipeline; path: string[] };
type Command = Operand[];
type Pipeline = { commands: Command[]; pos: string };
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'range' | 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

type Token = { t: 'field' | 'var' | 'ident' | 'string' | 'number' | '|' | '(' | ')' ; v: string; at: number };

function position(src: string, at: number): string {
  const before = src.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function lexAction(src: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let i = start;
  const fail = (why: string): never => { throw new TemplateError(`template ${position(src, i)}: ${why}`); };
  while (i < end) {
    const c = src[i]!;
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '|' || c === '(' || c === ')') { tokens.push({ t: c, v: c, at: i }); i += 1; continue; }
    if (c === '"' || c === '`') {
      let j = i + 1;
      let out = '';
      while (j < end && src[j] !== c) {
        if (c === '"' && src[j] === '\\') {
          const e = src[j + 1];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e ?? '';
          j += 2;
        } else {
          out += src[j];
          j += 1;
        }
      }
      if (j >= end) fail('unterminated quoted string');
      tokens.push({ t: 'string', v: out, at: i });
      i = j + 1;
      continue;
    }
    const m = /^(?:(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/.exec(src.slice(i, end));
    if (!m) fail(`unexpected ${JSON.stringify(c)} in action`);
    const [text, field, variable, number] = m!;
    tokens.push({ t: field !== undefined ? 'field' : variable !== undefined ? 'var' : number !== undefined ? 'number' : 'ident', v: text, at: i });
    i += text.length;
  }
  return tokens;
}

const KEYWORDS = new Set(['if', 'range', 'with', 'else', 'end']);

/** Parses a template once; execute it against any number of values. */
export class Template {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    this.nodes = this.parse();
  }

  private parse(): Node[] {
    const src = this.source;
    const root: Node[] = [];
    const stack: { node: Extract<Node, { body: Node[] }>; inElse: boolean; chained: number; at: number }[] = [];
    const target = (): Node[] => {
      const top = stack[stack.length - 1];
      return top === undefined ? root : top.inElse ? top.node.otherwise : top.node.body;
    };
    let i = 0;
    let trimNext = false;
    while (i < src.length) {
      const open = src.indexOf('{{', i);
      let text = open < 0 ? src.slice(i) : src.slice(i, open);
      if (trimNext) text = text.trimStart();
      trimNext = false;
      if (open < 0) { if (text !== '') target().push({ kind: 'text', text }); break; }
      let innerStart = open + 2;
      if (src.startsWith('- ', innerStart) || src.startsWith('-\t', innerStart) || src.startsWith('-\n', innerStart)) { text = text.trimEnd(); innerStart += 1; }
      if (text !== '') target().push({ kind: 'text', text });
      const close = src.indexOf('}}', innerStart);
      if (close < 0) throw new TemplateError(`template ${position(src, open)}: unclosed action`);
      let innerEnd = close;
      if (close - 2 >= innerStart && /\s-$/.test(src.slice(close - 2, close))) { innerEnd = close - 1; trimNext = true; }
      i = close + 2;
      const inner = src.slice(innerStart, innerEnd).trim();
      if (inner.startsWith('/*')) {
        if (!inner.endsWith('*/')) throw new TemplateError(`template ${position(src, open)}: unclosed comment`);
        continue;
      }
      const tokens = lexAction(src, innerStart, innerEnd);
      const first = tokens[0];
      if (first === undefined) throw new TemplateError(`template ${position(src, open)}: missing value for command`);
      const word = first.t === 'ident' && KEYWORDS.has(first.v) ? first.v : undefined;
      if (word === 'end') {
        if (tokens.length > 1) throw new TemplateError(`template ${position(src, tokens[1]!.at)}: unexpected ${JSON.stringify(tokens[1]!.v)} in end`);
        const top = stack.pop();
        if (top === undefined) throw new TemplateError(`template ${position(src, open)}: unexpected {{end}}`);
        for (let n = 0; n < top.chained; n += 1) stack.pop();
        continue;
      }
      if (word === 'else') {
        const top = stack[stack.length - 1];
        if (top === undefined || top.inElse) throw new TemplateError(`template ${position(src, open)}: unexpected {{else}}`);
        top.inElse = true;
        if (tokens[1]?.v === 'if') {
          const node: Extract<Node, { body: Node[] }> = { kind: 'if', pipe: this.pipeline(tokens.slice(2), open), body: [], otherwise: [] };
          top.node.otherwise.push(node);
          // a chained if ends with its parent's {{end}}
          stack.push({ node, inElse: false, chained: top.chained + 1, at: open });
          continue;
        }
        if (tokens.length > 1) throw new TemplateError(`template ${position(src, tokens[1]!.at)}: unexpected ${JSON.stringify(tokens[1]!.v)} in else`);
        continue;
      }
      if (word === 'if' || word === 'range' || word === 'with') {
        const node: Extract<Node, { body: Node[] }> = { kind: word, pipe: this.pipeline(tokens.slice(1), open), body: [], otherwise: [] };
        target().push(node);
        stack.push({ node, inElse: false, chained: 0, at: open });
        continue;
      }
      target().push({ kind: 'action', pipe: this.pipeline(tokens, open) });
    }
    const unclosed = stack[stack.length - 1];
    if (unclosed) throw new TemplateError(`template ${position(src, unclosed.at)}: {{${unclosed.node.kind}}} has no {{end}}`);
    return root;
  }

  private pipeline(tokens: Token[], at: number): Pipeline {
    const src = this.source;
    const pos = position(src, at);
    let i = 0;
    const fail = (why: string, where = tokens[i]?.at ?? at): never => { throw new TemplateError(`template ${position(src, where)}: ${why}`); };
    const parsePipe = (): Pipeline => {
      const commands: Command[] = [];
      let cmd: Command = [];
      while (i < tokens.length && tokens[i]!.t !== ')') {
        const tok = tokens[i]!;
        i += 1;
        switch (tok.t) {
          case '|':
            if (cmd.length === 0) fail('missing command before |', tok.at);
            commands.push(cmd);
            cmd = [];
            break;
          case '(': {
            const inner = parsePipe();
            if (tokens[i]?.t !== ')') fail('unclosed left paren', tok.at);
            i += 1;
            const next = tokens[i];
            let path: string[] = [];
            if (next?.t === 'field' && next.at === tokens[i - 1]!.at + 1) { path = next.v.split('.').slice(1); i += 1; }
            cmd.push({ kind: 'pipe', pipe: inner, path });
            break;
          }
          case 'field': cmd.push({ kind: 'field', base: 'dot', path: tok.v === '.' ? [] : tok.v.split('.').slice(1) }); break;
          case 'var':
            if (!tok.v.startsWith('$.') && tok.v !== '$') fail(`undefined variable ${JSON.stringify(tok.v.split('.')[0])}`, tok.at);
            cmd.push({ kind: 'field', base: 'root', path: tok.v === '$' ? [] : tok.v.split('.').slice(1) });
            break;
          case 'string': cmd.push({ kind: 'literal', value: tok.v }); break;
          case 'number': cmd.push({ kind: 'literal', value: Number(tok.v) }); break;
          case 'ident':
            if (tok.v === 'true' || tok.v === 'false') cmd.push({ kind: 'literal', value: tok.v === 'true' });
            else if (tok.v === 'nil') cmd.push({ kind: 'literal', value: null });
            else if (KEYWORDS.has(tok.v)) fail(`unexpected ${JSON.stringify(tok.v)} in command`, tok.at);
            else if (!(tok.v in FUNCTIONS)) fail(`function ${JSON.stringify(tok.v)} not defined`, tok.at);
            else cmd.push({ kind: 'func', name: tok.v });
            break;
          default: fail(`unexpected ${JSON.stringify(tok.v)}`, tok.at);
        }
      }
      if (cmd.length === 0) fail(commands.length === 0 ? 'missing value for command' : 'missing command after |');
      commands.push(cmd);
      return { commands, pos };
    };
    const pipe = parsePipe();
    if (i < tokens.length) fail(`unexpected ${JSON.stringify(tokens[i]!.v)}`);
    return pipe;
  }

  execute(data: unknown): string {
    let out = '';
    const run = (nodes: Node[], dot: unknown): void => {
      for (const n of nodes) {
        if (n.kind === 'text') out += n.text;
        else if (n.kind === 'action') out += printValue(this.evalPipe(n.pipe, dot, data));
        else {
          const v = this.evalPipe(n.pipe, dot, data);
          if (n.kind === 'if') run(truthy(v) ? n.body : n.otherwise, dot);
          else if (n.kind === 'with') { if (truthy(v)) run(n.body, v); else run(n.otherwise, dot); }
          else {
            const items = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]) : [];
            if (v !== null && v !== undefined && typeof v !== 'object') throw new TemplateError(`template ${n.pipe.pos}: range can't iterate over ${printValue(v)}`);
            if (items.length === 0) run(n.otherwise, dot);
            for (const item of items) run(n.body, item);
          }
        }
      }
    };
    run(this.nodes, data);
    return out;
  }

  private evalPipe(pipe: Pipeline, dot: unknown, root: unknown): unknown {
    let piped: { value: unknown } | undefined;
    for (const cmd of pipe.commands) {
      const [head, ...rest] = cmd;
      const args = (ops: Operand[]): unknown[] => ops.map((o) => this.evalOperand(o, dot, root, pipe.pos));
      if (head!.kind === 'func') {
        const a = args(rest);
        if (piped) a.push(piped.value);
        try {
          piped = { value: FUNCTIONS[head!.name]!(...a) };
        } catch (err) {
          throw new TemplateError(`template ${pipe.pos}: ${head!.name}: ${(err as Error).message}`);
        }
      } else {
        if (rest.length > 0 || piped) throw new TemplateError(`template ${pipe.pos}: can't give argument to non-function`);
        piped = { value: this.evalOperand(head!, dot, root, pipe.pos) };
      }
    }
    return piped?.value;
  }

  private evalOperand(o: Operand, dot: unknown, root: unknown, pos: string): unknown {
    switch (o.kind) {
      case 'literal': return o.value;
      case 'field': return walk(o.base === 'dot' ? dot : root, o.path);
      case 'pipe': return walk(this.evalPipe(o.pipe, dot, root), o.path);
      case 'func': {
        const f = FUNCTIONS[o.name]!;
        if (f.length > 0) throw new TemplateError(`template ${pos}: ${o.name} needs arguments`);
        return f();
      }
    }
  }
}

function walk(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Go's %v. */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${printValue(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`incompatible types for comparison: ${printValue(a)} and ${printValue(b)}`);
}

const FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  json: (v) => JSON.stringify(v === undefined ? null : v),
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) {
        if (typeof k !== 'number' || k < 0 || k >= cur.length) throw new Error(`index out of range: ${printValue(k)}`);
        cur = cur[k];
      } else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[String(k)];
      else if (cur === undefined || cur === null) return undefined;
      else throw new Error(`can't index item of type ${typeof cur}`);
    }
    return cur;
  },
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw new Error(`len of ${printValue(v)}`);
  },
  upper: (v) => printValue(v).toUpperCase(),
  lower: (v) => printValue(v).toLowerCase(),
  title: (v) => printValue(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (v, sep) => (Array.isArray(v) ? v.map(printValue).join(printValue(sep)) : printValue(v)),
  split: (v, sep) => printValue(v).split(printValue(sep)),
  pad: (v, l, r) => `${' '.repeat(Number(l))}${printValue(v)}${' '.repeat(Number(r))}`,
  truncate: (v, n) => [...printValue(v)].slice(0, Number(n)).join(''),
  print: (...a) => a.map(printValue).join(''),
  println: (...a) => `${a.map(printValue).join(' ')}\n`,
  printf: (fmt, ...a) => {
    let n = 0;
    return printValue(fmt).replace(/%([-+ 0#]*\d*(?:\.\d+)?)([vsdqf%])/g, (_m, _flags, verb: string) => {
      if (verb === '%') return '%';
      const arg = a[n++];
      return verb === 'q' ? JSON.stringify(printValue(arg)) : printValue(arg);
    });
  },
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  not: (v) => !truthy(v),
  and: (...a) => a.find((v) => !truthy(v)) ?? a[a.length - 1],
  or: (...a) => a.find((v) => truthy(v)) ?? a[a.length - 1],
};
