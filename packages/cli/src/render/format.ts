/**
 * --format for lists, as docker's formatter reads it: "table" (the default columns),
 * "table <template>", "json" (one object per line), or a template run once per row.
 * Docker turns the two-character escapes \t and \n into a tab and a newline first.
 */
import { alignTabs } from './table.js';
import { Template, TemplateError } from './template.js';

export interface ListLayout {
  /** the default table's template, e.g. "{{.ID}}\t{{.Image}}" */
  table: string;
  /** column titles by field, e.g. { ID: 'CONTAINER ID' } */
  headers: Readonly<Record<string, string>>;
}

export function unescapeFormat(format: string): string {
  return format.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

export function compileTemplate(format: string, flag = '--format'): Template {
  try {
    return new Template(unescapeFormat(format));
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`${flag} ${JSON.stringify(format)}: ${err.message}`);
    throw err;
  }
}

/** Runs a template over one value, naming the flag when it fails. */
export function executeTemplate(t: Template, value: unknown, flag = '--format'): string {
  try {
    return t.execute(value);
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateError(`${flag} ${JSON.stringify(t.source)}: ${err.message}`);
    throw err;
  }
}

/** Compiles a list's --format up front (so a bad template fails before any call); the result renders rows. */
export function listFormat(format: string | undefined, layout: ListLayout): (rows: readonly object[]) => string {
  const f = (format ?? '').trim();
  if (f === 'json') return (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (f === '' || f === 'table' || f.startsWith('table ')) {
    const t = compileTemplate(f === '' || f === 'table' ? layout.table : f.slice('table '.length).trim());
    // a field without a title of its own is titled in capitals, as docker does
    const titles = new Proxy({}, { get: (_, key) => layout.headers[String(key)] ?? String(key).toUpperCase() });
    return (rows) => alignTabs([executeTemplate(t, titles), ...rows.map((r) => executeTemplate(t, r))]);
  }
  const t = compileTemplate(f);
  return (rows) => rows.map((r) => `${executeTemplate(t, r)}\n`).join('');
}

export function renderList(format: string | undefined, rows: readonly object[], layout: ListLayout): string {
  return listFormat(format, layout)(rows);
}
