#ifndef TS_HOOKS_H
#define TS_HOOKS_H
#include "plan.h"
/* Run every hook of one kind in order, each with state_json on its stdin, its
 * own args and env, killed after its timeout. The first failure stops the list
 * and names the hook: "createRuntime hook 2 (/usr/bin/x): exit status 3". */
int hooks_run(const struct plan_hooks *hooks, enum ts_hook_kind kind, const char *state_json, ts_error *err);
const char *hooks_kind_name(enum ts_hook_kind kind);

/* For poststart and poststop, whose failures are warnings (runtime-spec): run
 * every hook even after one fails, handing each failure to warn(). Returns how
 * many failed. */
typedef void hooks_warn_fn(void *ctx, const char *msg);
size_t hooks_run_all(const struct plan_hooks *hooks, enum ts_hook_kind kind, const char *state_json, hooks_warn_fn *warn, void *ctx);
#endif
