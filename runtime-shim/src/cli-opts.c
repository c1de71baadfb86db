#include "cli-opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_MAX_OPTS 32
#define CLI_HELP_VAL 1000

static int parse_bool(const char *name, const char *value, bool *out, ts_error *err) {
  if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "t") == 0) {
    *out = true;
    return 0;
  }
  if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "f") == 0) {
    *out = false;
    return 0;
  }
  return ts_fail(err, 0, "invalid boolean value \"%s\" for flag -%s", value, name);
}

static int parse_int(const char *name, const char *value, int *out, ts_error *err) {
  char *end;
  errno = 0;
  long v = strtol(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || v < 0 || v > 1 << 20)
    return ts_fail(err, 0, "invalid value \"%s\" for flag -%s: parse error", value, name);
  *out = (int)v;
  return 0;
}

static int list_add(struct cli_list *l, const char *value) {
  char **v = realloc(l->v, (l->n + 2) * sizeof *v);
  if (v == NULL) return -1;
  l->v = v;
  l->v[l->n++] = (char *)value;
  l->v[l->n] = NULL;
  return 0;
}

void cli_list_free(struct cli_list *l) {
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

static int set_value(const struct cli_opt *o, const char *value, ts_error *err) {
  switch (o->kind) {
  case CLI_BOOL: return parse_bool(o->name, value, o->dest, err);
  case CLI_STRING: *(const char **)o->dest = value; return 0;
  case CLI_INT: return parse_int(o->name, value, o->dest, err);
  case CLI_LIST: return list_add(o->dest, value) < 0 ? ts_fail(err, ENOMEM, "parse -%s", o->name) : 0;
  }
  return 0;
}

int cli_parse(const struct cli_opt *opts, const char *usage, int argc, char **argv, bool stop_at_arg, ts_error *err) {
  struct option longopts[CLI_MAX_OPTS + 2];
  char shortopts[CLI_MAX_OPTS * 2 + 4];
  size_t n = 0, s = 0;
  if (stop_at_arg) shortopts[s++] = '+';
  shortopts[s++] = ':';  /* report a missing value as ':' */
  for (; opts[n].name != NULL && n < CLI_MAX_OPTS; n++) {
    /* Booleans take an optional "=value"; getopt never takes it from the next word. */
    longopts[n] = (struct option){ opts[n].name, opts[n].kind == CLI_BOOL ? optional_argument : required_argument, NULL, (int)n };
    if (opts[n].short_name) {
      shortopts[s++] = (char)opts[n].short_name;
      if (opts[n].kind != CLI_BOOL) shortopts[s++] = ':';
    }
  }
  size_t nopts = n;
  longopts[n++] = (struct option){ "help", no_argument, NULL, CLI_HELP_VAL };
  longopts[n] = (struct option){ NULL, 0, NULL, 0 };
  shortopts[s++] = 'h';
  shortopts[s] = '\0';

  optind = 0;  /* full re-initialisation: main parsed the global options already */
  opterr = 0;
  int c;
  while ((c = getopt_long_only(argc, argv, shortopts, longopts, NULL)) != -1) {
    if (c == 'h' || c == CLI_HELP_VAL) {
      fputs(usage, stdout);
      return CLI_PARSE_HELP;
    }
    if (c == '?') return ts_fail(err, 0, "flag provided but not defined: %s", argv[optind - 1]);
    if (c == ':') return ts_fail(err, 0, "flag needs an argument: %s", argv[optind - 1]);
    const struct cli_opt *o = NULL;
    if (c >= 0 && (size_t)c < nopts) {
      o = &opts[c];
    } else {
      for (size_t i = 0; opts[i].name != NULL; i++)
        if (opts[i].short_name == c) o = &opts[i];
    }
    if (o == NULL) return ts_fail(err, 0, "flag provided but not defined: %s", argv[optind - 1]);
    if (set_value(o, optarg, err) < 0) return -1;
  }
  return optind;
}

int cli_check_args(const char *cmd, int nargs, enum cli_nargs how, int want, ts_error *err) {
  if (how == CLI_EXACT && nargs != want)
    return ts_fail(err, 0, "\"%s\" requires exactly %d argument(s)", cmd, want);
  if (how == CLI_MIN && nargs < want)
    return ts_fail(err, 0, "\"%s\" requires a minimum of %d argument(s)", cmd, want);
  if (how == CLI_MAX && nargs > want)
    return ts_fail(err, 0, "\"%s\" requires a maximum of %d argument(s)", cmd, want);
  return 0;
}
