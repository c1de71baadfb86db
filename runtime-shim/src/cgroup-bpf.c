/* cgroup v2 has no devices.allow/deny files: device access is decided by a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. We assemble it
 * from the plan's rules, load it with bpf(2) and attach it to the cgroup dir.
 *
 * Semantics (those of the v1 lists the rules come from): the last matching
 * rule wins; an allow rule matches when it grants every access requested, a
 * deny rule when it refuses any of them. No match allows, so a list that
 * starts with a deny-all is default-deny. */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* Registers: r1 the context, then the request decoded once into r2..r5. */
enum { R_CTX = 1, R_ACC = 2, R_TYPE = 3, R_MAJOR = 4, R_MINOR = 5, R_TMP = 6 };

struct prog { struct bpf_insn *insns; size_t n, cap; bool oom; };

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct bpf_insn *ni = realloc(p->insns, cap * sizeof *ni);
    if (ni == NULL) { p->oom = true; return p->n; }
    p->insns = ni;
    p->cap = cap;
  }
  p->insns[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return p->n++;
}

static unsigned access_bits(const char *access) {
  unsigned bits = 0;
  for (const char *c = access; *c; c++)
    bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : *c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return bits;
}

/* Emits one rule as "if it matches, return allow"; returns 1 when the rule
 * matches everything (the code after it would be unreachable, which the verifier rejects). */
static int emit_rule(struct prog *p, const struct plan_cgroup_device *r, ts_error *err) {
  size_t jumps[4], nj = 0;
  unsigned acc = access_bits(r->access);
  if (r->type == 'c' || r->type == 'b')
    jumps[nj++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, R_TYPE, 0, 0, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  else if (r->type != 'a')
    return ts_fail(err, EINVAL, "cgroup: device rule of type `%c`: expected a, b or c", r->type);
  if (r->major >= 0) jumps[nj++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, R_MAJOR, 0, 0, (int32_t)(uint32_t)r->major);
  if (r->minor >= 0) jumps[nj++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, R_MINOR, 0, 0, (int32_t)(uint32_t)r->minor);
  if ((acc & ACC_ALL) != ACC_ALL) {
    emit(p, BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACC, 0, 0);
    emit(p, BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0, r->allow ? (int32_t)~acc : (int32_t)acc);
    jumps[nj++] = emit(p, BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R_TMP, 0, 0, 0);
  }
  emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
  emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  if (p->oom) return ts_fail(err, ENOMEM, "cgroup: build the device program");
  for (size_t i = 0; i < nj; i++) p->insns[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
  return nj == 0;
}

static int build(const struct plan_cgroup_device *rules, size_t n, struct prog *p, ts_error *err) {
  emit(p, BPF_LDX | BPF_W | BPF_MEM, R_ACC, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
  emit(p, BPF_ALU64 | BPF_MOV | BPF_X, R_TYPE, R_ACC, 0, 0);
  emit(p, BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
  emit(p, BPF_ALU64 | BPF_RSH | BPF_K, R_ACC, 0, 0, 16);
  emit(p, BPF_LDX | BPF_W | BPF_MEM, R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
  emit(p, BPF_LDX | BPF_W | BPF_MEM, R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
  /* last match wins: test the rules from the end, the first hit returns */
  for (size_t i = n; i-- > 0;) {
    if (access_bits(rules[i].access) == 0) continue;   /* grants or refuses nothing */
    int r = emit_rule(p, &rules[i], err);
    if (r < 0) return -1;
    if (r == 1) return 0;
  }
  emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
  emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return p->oom ? ts_fail(err, ENOMEM, "cgroup: build the device program") : 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int load(const struct prog *p, const char *dir, ts_error *err) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)p->insns;
  attr.insn_cnt = (uint32_t)p->n;
  /* the program calls no helper, so it needs no GPL-compatible license */
  attr.license = (uint64_t)(uintptr_t)"Apache";
  int fd = sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return fd;
  int e = errno;
  /* load again only to learn the verifier's reason */
  char log[8192];
  log[0] = '\0';
  attr.log_level = 1;
  attr.log_buf = (uint64_t)(uintptr_t)log;
  attr.log_size = sizeof log;
  int again = sys_bpf(BPF_PROG_LOAD, &attr);
  if (again >= 0) close(again);
  size_t len = strlen(log);
  while (len > 0 && log[len - 1] == '\n') log[--len] = '\0';
  const char *last = strrchr(log, '\n');
  return ts_fail(err, e, "cgroup: load the device eBPF program for `%s`%s%s", dir, log[0] ? ": verifier: " : "",
                 last ? last + 1 : log);
}

int cgroup_bpf_attach_devices(const char *dir, const struct plan_cgroup_device *rules, size_t n, ts_error *err) {
  struct prog p = { 0 };
  if (build(rules, n, &p, err) < 0) { free(p.insns); return -1; }
  __cleanup_close int prog_fd = load(&p, dir, err);
  free(p.insns);
  if (prog_fd < 0) return -1;
  __cleanup_close int dir_fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dir_fd < 0) return ts_fail(err, errno, "cgroup: open `%s`", dir);
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)dir_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) return ts_fail(err, errno, "cgroup: attach the device eBPF program to `%s`", dir);
  return 0;
}
