/* The shared option parser of the front-end commands, with runc's spellings:
 * "--flag value", "--flag=value", Go's single-dash long form "-flag value",
 * and boolean flags that also take "=true" / "=false". */
#ifndef TS_CLI_OPTS_H
#define TS_CLI_OPTS_H
#include <stdbool.h>
#include <stddef.h>
#include "error.h"

enum cli_opt_kind { CLI_BOOL, CLI_STRING, CLI_INT, CLI_LIST };

struct cli_list { char **v; size_t n; };

struct cli_opt {
  const char *name;    /* long name, without dashes */
  int short_name;      /* 0: none */
  enum cli_opt_kind kind;
  void *dest;          /* bool *, const char **, int *, struct cli_list * */
};

#define CLI_PARSE_HELP (-2)

/* Parse argv[1..] (argv[0] is the command's name) against opts, which ends with
 * a { NULL } entry. Returns the index of the first positional argument, with the
 * positional arguments moved to the end of argv (getopt's permutation), or
 * CLI_PARSE_HELP after printing usage for -h/--help, or -1 with err set.
 * stop_at_arg: the options end at the first positional argument (exec's command). */
int cli_parse(const struct cli_opt *opts, const char *usage, int argc, char **argv, bool stop_at_arg, ts_error *err);

/* Check the number of positional arguments as runc does. */
enum cli_nargs { CLI_EXACT, CLI_MIN, CLI_MAX };
int cli_check_args(const char *cmd, int nargs, enum cli_nargs how, int want, ts_error *err);

void cli_list_free(struct cli_list *l);
#endif
