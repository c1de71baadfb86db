#!/bin/sh
# The front end against runc on the same busybox bundle: same output (modulo pids,
# times, ociVersion), same exit codes. Needs root and the Node side built
# (TSRUN_NODE_MAIN, default packages/tsrun/dist/tsrun-node.cjs).
# usage: tests/e2e-frontend.sh [path/to/tsrun]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
T=${1:-$here/build/tsrun}
export TSRUN_NODE_MAIN=${TSRUN_NODE_MAIN:-$here/../packages/tsrun/dist/tsrun-node.cjs}
work=$(mktemp -d)
trap 'for rt in runc "$T"; do for id in $($rt --root "$work/root-$(basename $rt)" list -q 2>/dev/null); do $rt --root "$work/root-$(basename $rt)" delete -f "$id"; done; done; rm -rf "$work"' EXIT
mkdir -p "$work/b/rootfs/bin" && cp /bin/busybox "$work/b/rootfs/bin/" && (cd "$work/b" && runc spec)
set_args() {  # set_args TERMINAL ARGS...
  python3 - "$work/b/config.json" "$@" <<'PY'
import json, sys
path, term, args = sys.argv[1], sys.argv[2] == "true", sys.argv[3:]
c = json.load(open(path)); c["process"]["args"] = args; c["process"]["terminal"] = term
json.dump(c, open(path, "w"), indent=2)
PY
}
# pids, times and their widths, the runtime's version, and how each prints an error
norm() {
  sed -E 's/[0-9-]+T[0-9:.]+Z/TIME/g; s/[0-9]{3,}/N/g; s/ +/ /g; s/"ociVersion": ?"[^"]*",?//g
          s/^time=.*msg="(.*)"$/\1/; s/\\"/"/g; s/^tsrun: //; s/^(runc create|exec) failed: //'
}
scenario() {  # prints everything that must match between runtimes
  rt=$1; R="$work/root-$(basename "$rt")"; cd "$work/b"
  set_args false /bin/busybox sh -c 'sleep 30'
  $rt --root "$R" create --pid-file "$work/pid" c1; echo "create $?"; test -s "$work/pid" && echo pidfile
  $rt --root "$R" create c1 2>&1 | norm; $rt --root "$R" create 'a/b' 2>&1 | norm
  $rt --root "$R" state c1 | norm; echo
  $rt --root "$R" list | norm; $rt --root "$R" list -f json | norm; $rt --root "$R" list -q
  $rt --root "$R" delete c1 2>&1 | norm; echo "delete-created $?"
  $rt --root "$R" run -d c2; echo "run-d $?"
  $rt --root "$R" start c2 2>&1 | norm
  $rt --root "$R" delete c2 2>&1 | norm
  $rt --root "$R" exec c2 /bin/busybox sh -c 'exit 42'; echo "exec $?"
  $rt --root "$R" exec c2 2>/dev/null; echo "exec-noargs $?"
  $rt --root "$R" pause c2; $rt --root "$R" state c2 | grep status
  $rt --root "$R" pause c2 2>&1 | norm; $rt --root "$R" exec c2 true 2>&1 | norm
  $rt --root "$R" resume c2; $rt --root "$R" resume c2 2>&1 | norm
  $rt --root "$R" kill c2 NOSUCH 2>&1 | norm
  $rt --root "$R" kill c2 KILL; sleep 0.3; $rt --root "$R" state c2 | norm; echo
  $rt --root "$R" kill c2 2>&1 | norm; $rt --root "$R" start c2 2>&1 | norm
  $rt --root "$R" exec c2 true 2>&1 | norm
  $rt --root "$R" delete c2; echo "delete $?"
  $rt --root "$R" state c2 2>&1 | norm; $rt --root "$R" delete -f c2; echo "delete-f-missing $?"
  set_args false /bin/busybox sh -c 'echo out; echo err >&2; exit 3'
  $rt --root "$R" run c3 2>"$work/err"; echo "run $?"; cat "$work/err"
  $rt --root "$R" list -f json
}
scenario runc > "$work/runc.out" 2>&1
scenario "$T" > "$work/tsrun.out" 2>&1
if diff -u "$work/runc.out" "$work/tsrun.out"; then echo "e2e-frontend: OK"; else echo "e2e-frontend: FAIL"; exit 1; fi
