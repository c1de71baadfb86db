/* Releasing a plan (also a half-parsed one) and small lookups over it. */
#include "plan.h"

#include <sched.h>
#include <stdlib.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static void free_strv(char **v, size_t n) {
  if (v == NULL) return;
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static void free_kvs(struct plan_kv *kv, size_t n) {
  if (kv == NULL) return;
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

static void free_process(struct plan_process *pr) {
  free_strv(pr->args, pr->n_args);
  free_strv(pr->env, pr->n_env);
  free(pr->cwd);
  free(pr->additional_gids);
  free(pr->rlimits);
}

static void free_seccomp(struct plan_seccomp *s) {
  if (s == NULL) return;
  free(s->default_action);
  free_strv(s->architectures, s->n_architectures);
  free_strv(s->flags, s->n_flags);
  for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
    struct plan_seccomp_rule *r = &s->syscalls[i];
    free_strv(r->names, r->n_names);
    free(r->action);
    for (size_t j = 0; r->args && j < r->n_args; j++) free(r->args[j].op);
    free(r->args);
  }
  free(s->syscalls);
  free(s);
}

static void free_cgroup(struct plan_cgroup *cg) {
  if (cg == NULL) return;
  free_strv(cg->dirs, cg->n_dirs);
  free(cg->freezer);
  for (size_t i = 0; cg->writes && i < cg->n_writes; i++) {
    free(cg->writes[i].dir);
    free(cg->writes[i].file);
    free(cg->writes[i].value);
  }
  free(cg->writes);
  free(cg->devices);
  free(cg);
}

static void free_hooks(struct plan_hooks *h) {
  for (int k = 0; k < TS_HOOK_COUNT; k++) {
    for (size_t i = 0; h->list[k] && i < h->n[k]; i++) {
      free(h->list[k][i].path);
      free_strv(h->list[k][i].args, h->list[k][i].n_args);
      free_strv(h->list[k][i].env, h->list[k][i].n_env);
    }
    free(h->list[k]);
  }
}

void plan_free(struct plan *p) {
  if (p == NULL) return;
  free(p->id);
  free(p->oci_version);
  free(p->bundle);
  free(p->state_dir);
  free(p->rootfs);
  free_kvs(p->annotations, p->n_annotations);
  for (size_t i = 0; p->namespaces && i < p->n_namespaces; i++) free(p->namespaces[i].path);
  free(p->namespaces);
  free(p->uid_mappings);
  free(p->gid_mappings);
  free(p->hostname);
  free(p->domainname);
  for (size_t i = 0; p->mounts && i < p->n_mounts; i++) {
    struct plan_mount *m = &p->mounts[i];
    free(m->destination);
    free(m->source);
    free(m->type);
    free(m->propagation);
    free(m->data);
  }
  free(p->mounts);
  for (size_t i = 0; p->devices && i < p->n_devices; i++) free(p->devices[i].path);
  free(p->devices);
  free_strv(p->masked_paths, p->n_masked_paths);
  free_strv(p->readonly_paths, p->n_readonly_paths);
  free_kvs(p->sysctl, p->n_sysctl);
  free_process(&p->process);
  free_seccomp(p->seccomp);
  free_cgroup(p->cgroup);
  free_hooks(&p->hooks);
  free(p);
}

const struct plan_namespace *plan_find_ns(const struct plan *p, enum ts_ns_type t) {
  for (size_t i = 0; i < p->n_namespaces; i++)
    if (p->namespaces[i].type == t) return &p->namespaces[i];
  return NULL;
}

const char *ts_ns_name(enum ts_ns_type t) {
  static const char *const names[TS_NS_COUNT] = {
    [TS_NS_PID] = "pid", [TS_NS_NET] = "net", [TS_NS_IPC] = "ipc", [TS_NS_UTS] = "uts",
    [TS_NS_MOUNT] = "mnt", [TS_NS_USER] = "user", [TS_NS_CGROUP] = "cgroup", [TS_NS_TIME] = "time",
  };
  return (unsigned)t < TS_NS_COUNT ? names[t] : "?";
}

int ts_ns_clone_flag(enum ts_ns_type t) {
  static const int flags[TS_NS_COUNT] = {
    [TS_NS_PID] = CLONE_NEWPID, [TS_NS_NET] = CLONE_NEWNET, [TS_NS_IPC] = CLONE_NEWIPC, [TS_NS_UTS] = CLONE_NEWUTS,
    [TS_NS_MOUNT] = CLONE_NEWNS, [TS_NS_USER] = CLONE_NEWUSER, [TS_NS_CGROUP] = CLONE_NEWCGROUP, [TS_NS_TIME] = CLONE_NEWTIME,
  };
  return (unsigned)t < TS_NS_COUNT ? flags[t] : 0;
}
