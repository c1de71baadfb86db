#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "cli-opts.h"
#include "shim-proto.h"
#include "util.h"

static const char usage[] =
    "NAME:\n   tsrun list - lists containers started by tsrun with the given root\n\n"
    "USAGE:\n   tsrun list [command options]\n\n"
    "Where the given root is specified via the global option \"--root\"\n(default: \"/run/tsrun\").\n\n"
    "EXAMPLE 1:\nTo list containers created via the default \"--root\":\n       # tsrun list\n\n"
    "EXAMPLE 2:\nTo list containers created using a non-default value for \"--root\":\n       # tsrun --root value list\n\n"
    "OPTIONS:\n"
    "   --format value, -f value  select one of: table or json (default: \"table\")\n"
    "   --quiet, -q               display only container IDs\n";

#define LIST_COLS 6
static const char *const headers[LIST_COLS] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
static const char *const keys[LIST_COLS] = { "id", "pid", "status", "bundle", "created", "owner" };

/* The state dir owner's name, as runc shows it ("#<uid>" when unknown).
 * /etc/passwd by hand: a static binary has no NSS. */
static char *owner_name(uid_t uid) {
  char *name = NULL;
  FILE *f = fopen("/etc/passwd", "re");
  char line[1024];
  while (f != NULL && name == NULL && fgets(line, sizeof line, f) != NULL) {
    char *save = NULL, *user = strtok_r(line, ":", &save);
    strtok_r(NULL, ":", &save);
    char *id = strtok_r(NULL, ":", &save);
    if (user != NULL && id != NULL && strtoul(id, NULL, 10) == uid) name = strdup(user);
  }
  if (f != NULL) fclose(f);
  if (name == NULL && asprintf(&name, "#%u", (unsigned)uid) < 0) name = NULL;
  return name;
}

/* One container as runc's list shows it, or NULL when the dir holds none. */
static json_object *list_entry(const struct cli_globals *g, const char *id) {
  struct container *c;
  ts_error err = { 0 };
  if (container_load(g, id, &c, &err) < 0) return NULL;
  char *text = state_to_oci_json(c->state, c->status);
  json_object *o = text ? json_tokener_parse(text) : NULL;
  free(text);
  struct stat st;
  if (o != NULL && stat(c->dir, &st) == 0) {
    __cleanup_free char *owner = owner_name(st.st_uid);
    json_object_object_add(o, "owner", json_object_new_string(owner ? owner : ""));
  }
  container_free(c);
  return o;
}

static int only_dirs(const struct dirent *e) { return (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) && e->d_name[0] != '.'; }

static int list_containers(const struct cli_globals *g, json_object **out, ts_error *err) {
  if (mkdir_p(g->root, 0700, err) < 0) return -1;
  struct dirent **names;
  int n = scandir(g->root, &names, only_dirs, alphasort);
  if (n < 0) return ts_fail(err, errno, "read the state root `%s`", g->root);
  json_object *arr = json_object_new_array();
  for (int i = 0; i < n; i++) {
    json_object *o = list_entry(g, names[i]->d_name);
    if (o != NULL) json_object_array_add(arr, o);
    free(names[i]);
  }
  free(names);
  *out = arr;
  return 0;
}

static const char *cell(json_object *o, int col) {
  json_object *v = json_object_object_get(o, keys[col]);
  return v ? json_object_get_string(v) : "";
}

/* Go's tabwriter as runc sets it up: minwidth 12, padding 3, last column unpadded. */
static void print_table(json_object *arr) {
  size_t n = json_object_array_length(arr), width[LIST_COLS];
  for (int col = 0; col < LIST_COLS; col++) {
    width[col] = strlen(headers[col]) + 3;
    for (size_t i = 0; i < n; i++) {
      size_t w = strlen(cell(json_object_array_get_idx(arr, i), col)) + 3;
      if (w > width[col]) width[col] = w;
    }
    if (width[col] < 12) width[col] = 12;
  }
  for (size_t i = 0; i <= n; i++) {
    json_object *o = i == 0 ? NULL : json_object_array_get_idx(arr, i - 1);
    for (int col = 0; col < LIST_COLS; col++) {
      const char *text = o ? cell(o, col) : headers[col];
      if (col == LIST_COLS - 1)
        printf("%s\n", text);
      else
        printf("%-*s", (int)width[col], text);
    }
  }
}

int cmd_list(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  const char *format = "table";
  bool quiet = false;
  const struct cli_opt opts[] = { { "format", 'f', CLI_STRING, &format }, { "quiet", 'q', CLI_BOOL, &quiet }, { NULL } };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("list", argc - i, CLI_EXACT, 0, err) < 0) return -1;
  if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) return ts_fail(err, 0, "invalid format option");
  json_object *arr = NULL;
  if (list_containers(g, &arr, err) < 0) return -1;
  size_t n = json_object_array_length(arr);
  if (quiet) {
    for (size_t k = 0; k < n; k++) printf("%s\n", cell(json_object_array_get_idx(arr, k), 0));
  } else if (strcmp(format, "json") == 0) {
    /* runc encodes a nil slice: "null" when there is no container */
    printf("%s\n", n == 0 ? "null" : json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  } else {
    print_table(arr);
  }
  json_object_put(arr);
  return 0;
}
