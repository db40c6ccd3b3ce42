#!/usr/bin/env python3
"""Extended 3PCC (issue 16, SIPp's -master/-slave/-slave_cfg): a master
"m" and a slave "s1", made from the 3pcc-C-A and 3pcc-C-B built-ins
(-sd) with dest=/src= on their commands and a From line naming the
sender, both listening on their address of one -slave_cfg file, call A
and B (sipbench -sn 3pcc-A, 3pcc-B) on loopback, CALLS calls. Runs
master/slave as sipbench/SIPp, SIPp/sipbench, sipbench/sipbench: every
exit 0, sipbench's controller CALLS successful with CALLS sendCmd and
recvCmd, SIPp's -trace_stat CALLS successful. Then the refusals, each
exit 255 before any traffic with the reason: <sendCmd> without -3pcc,
a -slave_cfg without our name, a dest= not in it, a slave whose first
command is <sendCmd>, -3pcc with a scenario without commands, <sendCmd>
inside a <ua>. Starts its own processes and stops them by pid.
Usage: tpcc_ext_check.py SIPBENCH SIPP LOGDIR PORT1 ... PORT6"""
import csv, json, os, subprocess, sys, time

sipbench, sipp, log = sys.argv[1:4]
pa, pb, ps, pm, ts, tm = sys.argv[4:10]
CALLS = 2
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


def sd(name):
    return subprocess.run([sipbench, "-sd", name], stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout


def scenarios():
    m = sd("3pcc-C-A").replace("<sendCmd>", '<sendCmd dest="s1">').replace(
        "<recvCmd>", '<recvCmd src="s1">').replace(
        "      Call-ID: [call_id]\n      [$1]", "      Call-ID: [call_id]\n      From: m\n      [$1]")
    s = sd("3pcc-C-B").replace("<sendCmd>", '<sendCmd dest="m">').replace(
        "<recvCmd>", '<recvCmd src="m">').replace(
        "      Call-ID: [call_id]\n      [$2]", "      Call-ID: [call_id]\n      From: s1\n      [$2]")
    for name, text in (("m.xml", m), ("s1.xml", s)):
        with open(os.path.join(log, name), "w") as f:
            f.write(text)
    with open(os.path.join(log, "cfg"), "w") as f:
        f.write("s1;127.0.0.1:%s\nm;127.0.0.1:%s\n" % (ts, tm))


def bound(port, tcp):
    want = ":%04X" % int(port)
    with open("/proc/net/tcp" if tcp else "/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            x = line.split()
            if x[1].endswith(want) and (not tcp or x[3] == "0A"):
                return True
    return False


def wait_bound(port, tcp):
    end = time.time() + 10
    while time.time() < end and not bound(port, tcp):
        time.sleep(0.05)
    return bound(port, tcp)


def start(d, name, cmd):
    with open(os.path.join(d, name + ".cmd"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    return subprocess.Popen(cmd, cwd=log, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(d, name + ".stdout"), "w"),
                            stderr=open(os.path.join(d, name + ".stderr"), "w"))


def run(master, slave):
    what = "master=%s slave=%s" % (master, slave)
    d = os.path.join(log, "%s-%s" % (master, slave))
    os.makedirs(d, exist_ok=True)
    common = ["-i", "127.0.0.1", "-m", str(CALLS), "-timeout", "20", "-nostdin"]

    def out(tool, role):
        if tool == "sipp":
            return ["-trace_stat", "-stf", os.path.join(d, role + ".csv"), "-fd", "1"]
        return ["--json", os.path.join(d, role + ".json")]

    procs = [("A", start(d, "A", [sipbench, "-sn", "3pcc-A", "-p", pa] + common)),
             ("B", start(d, "B", [sipbench, "-sn", "3pcc-B", "-p", pb] + common))]
    wait_bound(pa, False)
    wait_bound(pb, False)
    procs.append(("s1", start(d, "s1", [sipbench if slave == "sipbench" else sipp,
                                        "127.0.0.1:" + pb, "-sf", "s1.xml", "-slave", "s1",
                                        "-slave_cfg", "cfg", "-p", ps] + common +
                              out(slave, "s1"))))
    if not wait_bound(ts, True):
        check(False, "%s: the slave does not listen on %s" % (what, ts))
    procs.append(("m", start(d, "m", [sipbench if master == "sipbench" else sipp,
                                      "127.0.0.1:" + pa, "-sf", "m.xml", "-master", "m",
                                      "-slave_cfg", "cfg", "-p", pm, "-r", "10"] + common +
                             out(master, "m"))))
    codes = []
    for _, p in procs:
        try:
            codes.append(p.wait(timeout=30))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    check(codes == [0, 0, 0, 0], "%s: exit %s" % (what, " ".join(map(str, codes))))
    for role, tool in (("m", master), ("s1", slave)):
        try:
            if tool == "sipbench":
                with open(os.path.join(d, role + ".json")) as f:
                    r = json.load(f)
                cmds = ["%s %d" % (s["step"], s["sent"] or s["received"])
                        for s in r["steps"] if s["kind"] in ("sendCmd", "recvCmd")]
                check(r["calls"]["successful"] == CALLS and r["calls"]["failed"] == 0,
                      "%s: sipbench %s: %d successful, %d failed, %s" % (
                          what, role, r["calls"]["successful"], r["calls"]["failed"],
                          ", ".join(cmds)))
            else:
                with open(os.path.join(d, role + ".csv")) as f:
                    n = int(list(csv.DictReader(f, delimiter=";"))[-1]["SuccessfulCall(C)"])
                check(n == CALLS, "%s: sipp %s: %d successful" % (what, role, n))
        except (OSError, ValueError, KeyError, IndexError) as e:
            check(False, "%s: %s: %s" % (what, role, e))


def refused(what, args, files, want):
    for name, text in files.items():
        with open(os.path.join(log, name), "w") as f:
            f.write(text)
    p = subprocess.run([sipbench] + args + ["-i", "127.0.0.1", "-m", "1", "-nostdin"],
                       cwd=log, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=30)
    err = p.stderr.strip().splitlines()
    last = err[-1] if err else ""
    check(p.returncode == 255 and want in last and not p.stdout.strip(),
          "refused: %s: exit %d: %s" % (what, p.returncode, last))


def main():
    scenarios()
    run("sipbench", "sipp")
    run("sipp", "sipbench")
    run("sipbench", "sipbench")
    ua = ('<?xml version="1.0"?>\n<scenario name="u">\n  <ua name="x">\n'
          '    <sendCmd><![CDATA[\n      Call-ID: [call_id]\n    ]]></sendCmd>\n'
          '  </ua>\n</scenario>\n')
    refused("sendCmd without -3pcc", ["-sn", "3pcc-C-A", "127.0.0.1:" + pa], {},
            "give -3pcc HOST:PORT")
    refused("our name not in -slave_cfg", ["-sf", "m.xml", "-master", "m2", "-slave_cfg",
                                           "cfg", "127.0.0.1:" + pa], {}, "no line for 'm2'")
    refused("dest= not in -slave_cfg", ["-sf", "m.xml", "-master", "m", "-slave_cfg",
                                        "cfg1", "127.0.0.1:" + pa],
            {"cfg1": "m;127.0.0.1:%s\n" % tm}, "'s1' is not in -slave_cfg cfg1")
    refused("a slave that sends first", ["-sf", "m.xml", "-slave", "s1", "-slave_cfg",
                                         "cfg", "127.0.0.1:" + pa], {},
            "must <recvCmd> before it <sendCmd>s")
    refused("-3pcc without commands", ["-sn", "uac", "-3pcc", "127.0.0.1:" + ts,
                                       "127.0.0.1:" + pa], {},
            "the scenario has no <sendCmd> or <recvCmd>")
    refused("sendCmd inside <ua>", ["-sf", "ua.xml", "127.0.0.1:" + pa], {"ua.xml": ua},
            "ua.xml:4: error: <sendCmd> inside <ua>")
    print("%d problems" % len(problems))
    return 1 if problems else 0


sys.exit(main())
