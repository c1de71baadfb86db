/** tsctl as a library: the command line runner, and the renderers a test or another front end can reuse. */
export { main } from './main.js';
export type { CliIo } from './context.js';
export { resolveAddress, DEFAULT_HOST, type DaemonAddress, type ConnectionFlags } from './client/address.js';
export { Template, TemplateError } from './render/template.js';
