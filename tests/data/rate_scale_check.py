#!/usr/bin/env python3
"""-rate_scale: runs sipbench -r 1 -rate_scale 20 with a pseudo-terminal as
its standard input, presses '+' after 1 s (rate 1 + 20 = 21 calls/s) and
'q' after 3 s, and checks that far more calls started than '+' alone (one
more call/s) would give.
Usage: rate_scale_check.py SIPBENCH SRCDIR LOGDIR"""
import json, os, pty, subprocess, sys, time

sipbench, srcdir, log = sys.argv[1:4]
master, slave = pty.openpty()
cmd = [sipbench, "-sf", os.path.join(srcdir, "scenarios", "basic-call.xml"), "-r", "1",
       "-rate_scale", "20", "-timeout", "60", "--json", os.path.join(log, "r.json")]
print("run:", " ".join(cmd))
p = subprocess.Popen(cmd, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
time.sleep(1)
os.write(master, b"+")
time.sleep(2)
os.write(master, b"q")
try:
    out, err = p.communicate(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    print("NOT OK: 'q' did not end the run")
    sys.exit(1)
os.close(master)
print(out.decode())
print(err.decode())
c = json.load(open(os.path.join(log, "r.json")))["calls"]
problems = 0
for ok, what in ((p.returncode == 0, "exit 0: %d" % p.returncode),
                 (c["started"] >= 25, "'+' raised the rate by 20: %d calls in about 3 s" % c["started"]),
                 (c["started"] <= 80, "'q' stopped new calls: %d calls" % c["started"])):
    print(("ok: " if ok else "NOT OK: ") + what)
    problems += not ok
print("%d problems" % problems)
sys.exit(1 if problems else 0)
