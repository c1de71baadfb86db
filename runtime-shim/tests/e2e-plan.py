#!/usr/bin/env python3
"""Write a plan.json (docs/plan-format.md) for a busybox rootfs, as the
planner would for runc's default spec: the monitor's e2e test runs the shim
without the TypeScript side.
usage: e2e-plan.py STATE_DIR ROOTFS ID [--userns] [--time] [--cgroup NAME] [--terminal]
        [--hook KIND:PATH] [--nnp] [--oom N] [--join PID] [--out FILE] -- ARGS...
--join PID makes an exec plan: every namespace joined through /proc/PID/ns, no mounts."""
import json, sys

argv = sys.argv[1:]
args = argv[argv.index("--") + 1:] if "--" in argv else ["/bin/busybox", "true"]
opts = argv[:argv.index("--")] if "--" in argv else argv
state_dir, rootfs, cid = opts[0], opts[1], opts[2]
flag = lambda f: f in opts
def opt_values(name):
    return [opts[i + 1] for i, o in enumerate(opts) if o == name]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_STRICTATIME = 1, 2, 4, 8, 1 << 24
def mount(dest, typ, flags, data="", source=None):
    return {"destination": dest, "source": source or typ, "type": typ, "bind": False, "recursive": False,
            "flags": flags, "clearFlags": 0, "propagation": [], "attrSet": 0, "attrClr": 0,
            "data": data, "createDir": True}

ns = [{"type": t, "path": None} for t in ("pid", "network", "ipc", "uts", "mount")]
if flag("--userns"): ns.append({"type": "user", "path": None})
if flag("--time"): ns.append({"type": "time", "path": None})
devices = [{"path": p, "type": "c", "major": ma, "minor": mi, "fileMode": 0o666, "uid": 0, "gid": 0}
           for p, ma, mi in (("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
                             ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0))]
cgroup = None
for name in opt_values("--cgroup"):
    dirs = ["/sys/fs/cgroup/%s/%s" % (c, name) for c in ("memory", "pids", "freezer", "cpu", "devices")]
    cgroup = {"version": 1, "dirs": dirs, "freezer": "/sys/fs/cgroup/freezer/" + name,
              "writes": [{"dir": dirs[1], "file": "pids.max", "value": "100"}], "devices": None}
hooks = {k: [] for k in ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")}
for h in opt_values("--hook"):
    kind, path = h.split(":", 1)
    hooks[kind].append({"path": path, "args": [path, kind], "env": [], "timeout": 10})
user_map = [{"containerID": 0, "hostID": 100000, "size": 65536}] if flag("--userns") else []
plan = {
    "planVersion": 1, "id": cid, "ociVersion": "1.0.2", "bundle": state_dir, "stateDir": state_dir,
    "rootfs": rootfs, "rootfsReadonly": False, "rootfsPropagation": 0x80000 | 0x4000, "noPivot": False,
    "newKeyring": True, "annotations": {"test": "e2e"}, "namespaces": ns,
    "uidMappings": user_map, "gidMappings": user_map,
    "timeOffsets": {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}} if flag("--time") else None,
    "hostname": "tsrun-e2e", "domainname": None,
    "mounts": [mount("/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV),
               mount("/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
               mount("/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
               mount("/dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k", "shm"),
               mount("/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY)],
    "devices": devices, "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"], "sysctl": [],
    "process": {"terminal": flag("--terminal"), "consoleSize": None, "args": args,
                "env": ["PATH=/bin:/usr/bin", "TERM=xterm"], "cwd": "/", "uid": 0, "gid": 0, "umask": 18,
                "additionalGids": [], "capabilities": None, "noNewPrivileges": flag("--nnp"),
                "rlimits": [{"resource": 7, "soft": 1024, "hard": 1024}],
                "oomScoreAdj": int(opt_values("--oom")[0]) if opt_values("--oom") else None, "ioPriority": None},
    "seccomp": None, "cgroup": cgroup, "hooks": hooks,
}
for pid in opt_values("--join"):
    proc_name = {"network": "net", "mount": "mnt"}
    for n in plan["namespaces"]:
        n["path"] = "/proc/%s/ns/%s" % (pid, proc_name.get(n["type"], n["type"]))
    plan.update(mounts=[], devices=[], maskedPaths=[], readonlyPaths=[], hostname=None, timeOffsets=None,
                uidMappings=[], gidMappings=[])
    if cgroup: cgroup["writes"] = []
out = opt_values("--out")
with open(out[0] if out else state_dir + "/plan.json", "w") as f:
    json.dump(plan, f, indent=1)
