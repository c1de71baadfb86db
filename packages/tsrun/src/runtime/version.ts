/** Replaced at bundle time by esbuild's define; "dev" when running from sources. */
declare const __TSRUN_VERSION__: string | undefined;
export const TSRUN_VERSION: string = typeof __TSRUN_VERSION__ === 'string' ? __TSRUN_VERSION__ : 'dev';
