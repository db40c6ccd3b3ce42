#!/usr/bin/env python3
"""Keyboard control on a terminal: runs sipbench with a pseudo-terminal as
its standard input, presses '*' (rate +10) after 1 s and 'q' (graceful
stop) after 3 s, and checks that the run ends by itself, every started
call ended, and more calls started than the first rate alone gives.
Usage: keys_check.py SIPBENCH SRCDIR LOGDIR"""
import json, os, pty, subprocess, sys, time

sipbench, srcdir, log = sys.argv[1:4]
master, slave = pty.openpty()
cmd = [sipbench, "-sf", os.path.join(srcdir, "scenarios", "basic-call.xml"), "-r", "5",
       "-timeout", "60", "--json", os.path.join(log, "r.json")]
print("run:", " ".join(cmd))
p = subprocess.Popen(cmd, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
time.sleep(1)
os.write(master, b"*")
time.sleep(2)
os.write(master, b"q")
try:
    out, err = p.communicate(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    print("NOT OK: 'q' did not end the run")
    sys.exit(1)
os.close(master)
out, err = out.decode(), err.decode()
print(out)
print(err)
j = json.load(open(os.path.join(log, "r.json")))
c = j["calls"]
problems = 0
for ok, what in ((p.returncode == 0, "exit 0 (every call ended well): %d" % p.returncode),
                 ("stopping: no new calls" in err, "'q' is acknowledged on stderr"),
                 (c["started"] == c["successful"] + c["failed"], "every started call is counted"),
                 (c["started"] >= 25, "'*' raised the rate: %d calls in about 3 s" % c["started"]),
                 (c["started"] <= 60, "'q' stopped new calls: %d calls" % c["started"]),
                 (j["stopped_by"] is None, "the run ended by itself, not by -timeout")):
    print(("ok: " if ok else "NOT OK: ") + what)
    problems += not ok
print("%d problems" % problems)
sys.exit(1 if problems else 0)
