#!/usr/bin/env python3
"""3PCC (issue 16, SIPp's -3pcc): the four roles of SIPp's 3PCC built-ins
(3pcc-A and 3pcc-B, the parties; 3pcc-C-B, the controller's B side that
listens on the twin link; 3pcc-C-A, its A side that connects to it)
played by SIPp 3.6.1 and sipbench in turn, on loopback, CALLS calls
each run. Mode "sipbench-in-each": sipbench plays one role and SIPp the
three others, for each role, then sipbench plays all four. Mode
"sipp-in-each": SIPp plays one role and sipbench the three others, for
each role, then SIPp plays all four (the reference). Each run must end
with every process's exit 0; sipbench's JSON report must give CALLS
successful calls and no failure, and its controller steps
CALLS sendCmd sent and CALLS recvCmd received; SIPp's -trace_stat must
end with CALLS successful calls. Starts its own processes and stops
them by pid.
Usage: tpcc_check.py SIPBENCH SIPP LOGDIR MODE PORT1 PORT2 PORT3 PORT4 PORT5"""
import csv, json, os, socket, subprocess, sys, time

sipbench, sipp, log, mode = sys.argv[1:5]
pa, pb, pcb, pca, ptwin = sys.argv[5:10]
CALLS = 2
ROLES = ["A", "B", "C-B", "C-A"]
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


def args(role, tool, d):
    common = ["-i", "127.0.0.1", "-m", str(CALLS), "-timeout", "20", "-nostdin"]
    if tool == "sipp":
        common += ["-trace_stat", "-stf", os.path.join(d, role + ".csv"), "-fd", "1"]
    else:
        common += ["--json", os.path.join(d, role + ".json")]
    if role == "A":
        return ["-sn", "3pcc-A", "-p", pa] + common
    if role == "B":
        return ["-sn", "3pcc-B", "-p", pb] + common
    if role == "C-B":
        return ["127.0.0.1:" + pb, "-sn", "3pcc-C-B", "-3pcc", "127.0.0.1:" + ptwin,
                "-p", pcb] + common
    return ["127.0.0.1:" + pa, "-sn", "3pcc-C-A", "-3pcc", "127.0.0.1:" + ptwin,
            "-p", pca, "-r", "10"] + common


def bound(port, tcp):
    """A socket of ours is bound to port (UDP) or listens on it (TCP)."""
    path = "/proc/net/tcp" if tcp else "/proc/net/udp"
    want = ":%04X" % int(port)
    with open(path) as f:
        for line in f.readlines()[1:]:
            x = line.split()
            if x[1].endswith(want) and (not tcp or x[3] == "0A"):
                return True
    return False


def wait_bound(port, tcp):
    end = time.time() + 10
    while time.time() < end:
        if bound(port, tcp):
            return True
        time.sleep(0.05)
    return False


def run(tools):
    name = " ".join("%s=%s" % (r, tools[r]) for r in ROLES)
    d = os.path.join(log, "-".join(tools[r] for r in ROLES))
    os.makedirs(d, exist_ok=True)
    procs = {}
    for role, port, tcp in (("A", pa, False), ("B", pb, False), ("C-B", ptwin, True),
                            ("C-A", None, False)):
        tool = tools[role]
        cmd = [sipbench if tool == "sipbench" else sipp] + args(role, tool, d)
        with open(os.path.join(d, role + ".cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        procs[role] = subprocess.Popen(cmd, cwd=d, stdin=subprocess.DEVNULL,
                                       stdout=open(os.path.join(d, role + ".stdout"), "w"),
                                       stderr=open(os.path.join(d, role + ".stderr"), "w"))
        if port and not wait_bound(port, tcp):
            check(False, "%s: %s not listening on %s" % (name, role, port))
    codes = {}
    for role in ROLES:
        try:
            codes[role] = procs[role].wait(timeout=30)
        except subprocess.TimeoutExpired:
            procs[role].kill()
            codes[role] = procs[role].wait()
    check(all(codes[r] == 0 for r in ROLES),
          "%s: exit %s" % (name, " ".join(str(codes[r]) for r in ROLES)))
    for role in ROLES:
        if tools[role] == "sipbench":
            try:
                with open(os.path.join(d, role + ".json")) as f:
                    r = json.load(f)
            except (OSError, ValueError) as e:
                check(False, "%s: %s report: %s" % (name, role, e))
                continue
            c = r["calls"]
            what = "%s: sipbench %s: %d successful, %d failed" % (
                name, role, c["successful"], c["failed"])
            cmds = [s for s in r["steps"] if s["step"].startswith(("sendCmd", "recvCmd"))]
            if role.startswith("C-"):
                what += ", " + ", ".join("%s %d" % (s["step"], s["sent"] or s["received"])
                                         for s in cmds)
            check(c["successful"] == CALLS and c["failed"] == 0 and
                  all((s["sent"] or s["received"]) == CALLS for s in cmds) and
                  (len(cmds) == 2) == role.startswith("C-"), what)
        else:
            try:
                with open(os.path.join(d, role + ".csv")) as f:
                    rows = list(csv.DictReader(f, delimiter=";"))
                ok = int(rows[-1]["SuccessfulCall(C)"])
            except (OSError, ValueError, KeyError, IndexError) as e:
                check(False, "%s: sipp %s -trace_stat: %s" % (name, role, e))
                continue
            check(ok == CALLS, "%s: sipp %s: %d successful" % (name, role, ok))


def main():
    one, other = ("sipbench", "sipp") if mode == "sipbench-in-each" else ("sipp", "sipbench")
    for role in ROLES:
        tools = {r: other for r in ROLES}
        tools[role] = one
        run(tools)
    run({r: one for r in ROLES})
    print("%d problems" % len(problems))
    return 1 if problems else 0


sys.exit(main())
