declare const __TSCTL_VERSION__: string | undefined;

/** Set by the bundle (esbuild.config.mjs); "dev" when run from the sources. */
export const TSCTL_VERSION: string = typeof __TSCTL_VERSION__ === 'string' ? __TSCTL_VERSION__ : 'dev';
