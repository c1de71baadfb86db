/** Docker's exit status for a command line it cannot use: a bad flag, a refused `run`. */
export const USAGE_STATUS = 125;
