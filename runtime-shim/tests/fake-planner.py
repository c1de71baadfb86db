#!/usr/bin/env python3
"""A stand-in for the daemon's in-process planner ($TSRUN_PLANNER_SOCKET): answers
create requests (docs/plan-format.md, "Planner requests") on SOCKET by writing
the plan with e2e-plan.py, taking its options from <bundle>/plan-args.json and the
rootfs from <bundle>/rootfs. usage: fake-planner.py SOCKET"""
import json, os, socket, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(4)
while True:
    conn, _ = srv.accept()
    with conn, conn.makefile("rwb") as f:
        req = json.loads(f.readline())
        try:
            if req["op"] != "create":
                raise ValueError("op %s: not served here" % req["op"])
            args = json.load(open(os.path.join(req["bundle"], "plan-args.json")))
            subprocess.run([sys.executable, os.path.join(here, "e2e-plan.py"), req["stateDir"],
                            os.path.join(req["bundle"], "rootfs"), req["id"]] + args, check=True)
            answer = {"ok": True}
        except Exception as e:
            answer = {"ok": False, "error": str(e)}
        f.write((json.dumps(answer) + "\n").encode())
