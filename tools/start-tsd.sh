#!/bin/sh
# Starts tsd in the background unless one already answers on its socket (its log:
# /var/log/tsd.log), then loads the demo image (.demo/busybox.tar, made by the
# setup from Debian's busybox-static, as no public registry is reachable here)
# when the daemon has no busybox image yet.
set -eu
cd "$(dirname "$0")/.."
if ! tsctl version >/dev/null 2>&1; then
  setsid -f sh -c 'exec tsd >>/var/log/tsd.log 2>&1 </dev/null'
  i=0
  until tsctl version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 150 ]; then
      echo "start-tsd: tsd did not start: see /var/log/tsd.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "start-tsd: tsd is running (log: /var/log/tsd.log)"
fi
tsctl inspect --type image busybox >/dev/null 2>&1 || tsctl load -i .demo/busybox.tar
