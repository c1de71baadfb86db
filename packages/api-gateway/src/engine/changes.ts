/** `commit --change`: the Dockerfile instructions Docker accepts there, as image config fields. */
import { EngineError } from '@tsrun/oci-spec';

function words(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      // not the JSON form: the shell form below
    }
  }
  return ['/bin/sh', '-c', t];
}

/** Whitespace-separated words; quotes group and are removed, a backslash keeps the next character as it is. */
function shellWords(text: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i]!;
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else {
      word = (word ?? '') + (c === '\\' && i + 1 < text.length ? text[++i]! : c);
    }
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** ENV and LABEL arguments as Dockerfile reads them: `k=v k2="v 2"`, or the older `key value with spaces`. */
function pairs(line: string, rest: string): Array<[string, string]> {
  const t = rest.trim();
  const first = /^\S+/.exec(t)?.[0] ?? '';
  if (!first.includes('=')) {
    const value = t.slice(first.length).trim();
    if (first === '' || value === '') throw new EngineError('invalid_argument', `--change ${JSON.stringify(line)}: want key=value ... or key value`);
    return [[first, shellWords(value).join(' ')]];
  }
  return shellWords(t).map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new EngineError('invalid_argument', `--change ${JSON.stringify(line)}: ${JSON.stringify(kv)} is not of the form key=value`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

export function parseChanges(changes: readonly string[], base: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of changes) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(line);
    if (!m) throw new EngineError('invalid_argument', `--change ${JSON.stringify(line)}: want INSTRUCTION arguments`);
    const [, instr = '', rest = ''] = m;
    switch (instr.toUpperCase()) {
      case 'CMD': out.Cmd = words(rest); break;
      case 'ENTRYPOINT': out.Entrypoint = words(rest); break;
      case 'WORKDIR': out.WorkingDir = rest.trim(); break;
      case 'USER': out.User = rest.trim(); break;
      case 'STOPSIGNAL': out.StopSignal = rest.trim(); break;
      case 'ENV': {
        const env = [...((out.Env ?? base.Env ?? []) as string[])];
        for (const [k, v] of pairs(line, rest)) {
          const i = env.findIndex((e) => e.startsWith(`${k}=`));
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        out.Env = env;
        break;
      }
      case 'LABEL': out.Labels = { ...((out.Labels ?? base.Labels ?? {}) as object), ...Object.fromEntries(pairs(line, rest)) }; break;
      case 'EXPOSE': {
        const ports = { ...((out.ExposedPorts ?? base.ExposedPorts ?? {}) as object) } as Record<string, object>;
        for (const p of rest.trim().split(/\s+/)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        out.ExposedPorts = ports;
        break;
      }
      default:
        throw new EngineError('invalid_argument', `--change ${JSON.stringify(line)}: ${instr} is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR`);
    }
  }
  return out;
}
