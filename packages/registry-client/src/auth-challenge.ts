/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them:
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"`
 * or `Basic realm="Registry Realm"`.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/** Every challenge of a header, schemes lower-cased, parameter names lower-cased. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const skipWs = () => { while (i < header.length && /[\s,]/.test(header[i]!)) i += 1; };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(header);
    if (m === null) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  while (i < header.length) {
    skipWs();
    const scheme = token();
    if (scheme === undefined) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      while (i < header.length && /[ \t]/.test(header[i]!)) i += 1;
      const save = i;
      if (header[i] === ',') i += 1;
      while (i < header.length && /[ \t]/.test(header[i]!)) i += 1;
      const name = token();
      while (i < header.length && /[ \t]/.test(header[i]!)) i += 1;
      if (name === undefined || header[i] !== '=') {
        i = save;
        break;
      }
      i += 1;
      while (i < header.length && /[ \t]/.test(header[i]!)) i += 1;
      let value = '';
      if (header[i] === '"') {
        i += 1;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i += 1;
          value += header[i];
          i += 1;
        }
        i += 1;
      } else {
        value = token() ?? '';
      }
      challenge.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
