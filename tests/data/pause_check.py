#!/usr/bin/env python3
"""Issue 14, point 10: 'p' on a terminal pauses new calls and 'p' again
resumes them at the asked rate from the resume on, with no burst of the
calls not started while paused; and the live status line's calls/s is the
current rate (0 while paused), not an average since the start.

Runs sipbench -sn uac -r 10 against the uas at 127.0.0.1:PORT with a
pseudo-terminal as its standard input and another as its standard error
(so that the status line is rewritten every 0.5 s), presses p at 1.5 s,
p at 4.5 s and q at 6.5 s, and reads the INVITEs' send times from its
-trace_msg file. Usage: pause_check.py SIPBENCH LOGDIR PORT"""
import datetime, json, os, pty, re, subprocess, sys, threading, time

sipbench, log, port = sys.argv[1:4]
tin_m, tin_s = pty.openpty()
terr_m, terr_s = pty.openpty()
mlog = os.path.join(log, "m.log")
cmd = [sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "10", "-timeout", "30", "-display", "line",
       "-trace_msg", "-message_file", mlog, "-json", os.path.join(log, "r.json"),
       "127.0.0.1:" + port]
print("run:", " ".join(cmd))
p = subprocess.Popen(cmd, stdin=tin_s, stdout=subprocess.PIPE, stderr=terr_s)
os.close(tin_s)
os.close(terr_s)
lines = []  # (wall time read, status line)


def reader():
    buf = b""
    while True:
        try:
            chunk = os.read(terr_m, 4096)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk
        parts = re.split(rb"[\r\n]", buf)
        buf = parts.pop()
        now = time.time()
        lines.extend((now, x.decode(errors="replace")) for x in parts if x.strip())


t = threading.Thread(target=reader, daemon=True)
t.start()
time.sleep(1.5)
t_pause = time.time()
os.write(tin_m, b"p")
time.sleep(3)
t_resume = time.time()
os.write(tin_m, b"p")
time.sleep(2)
t_q = time.time()
os.write(tin_m, b"q")
try:
    out, _ = p.communicate(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    print("NOT OK: 'q' did not end the run")
    sys.exit(1)
t.join(2)
os.close(tin_m)
print(out.decode())

# the INVITEs' send times, from the -trace_msg file's stamps
invites = []
stamp = None
for line in open(mlog, errors="replace"):
    m = re.match(r"^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})$", line.strip())
    if m:
        stamp = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        sent = None
        continue
    if re.search(r"message sent \(", line):
        sent = stamp
    elif line.startswith("INVITE ") and stamp is not None and sent == stamp:
        invites.append(stamp)
invites.sort()
paused = [x for x in invites if t_pause + 0.15 < x < t_resume - 0.05]
after = [x for x in invites if t_resume - 0.05 <= x < t_q]
burst = max((sum(1 for y in after if x <= y < x + 0.1) for x in after), default=0)
print("INVITEs: %d in all, %d while paused, %d from the resume to q (2 s at 10/s), "
      "at most %d within 100 ms after the resume" % (len(invites), len(paused), len(after), burst))


def rate_of(s):
    m = re.search(r"([\d.]+) calls/s \(target", s)
    return float(m.group(1)) if m else None


during = [rate_of(s) for w, s in lines if t_pause + 1.2 < w < t_resume - 0.1 and rate_of(s) is not None]
running = [rate_of(s) for w, s in lines if t_resume + 1.0 < w < t_q - 0.05 and rate_of(s) is not None]
print("status lines: calls/s while paused %s; after the resume %s" % (during, running))
j = json.load(open(os.path.join(log, "r.json")))
c = j["calls"]
problems = 0
for ok, what in ((p.returncode == 0, "exit 0: %d" % p.returncode),
                 (c["started"] == c["successful"], "every call started succeeded: %d of %d"
                  % (c["successful"], c["started"])),
                 (len(invites) == c["started"], "one INVITE per call in the trace"),
                 (len(paused) == 0, "no INVITE while paused"),
                 (16 <= len(after) <= 24, "about 20 INVITEs in the 2 s after the resume"),
                 (burst <= 2, "no burst after the resume (at most 2 INVITEs within 100 ms)"),
                 (len(during) >= 2 and all(r == 0.0 for r in during),
                  "the status line says 0.0 calls/s while paused"),
                 (len(running) >= 1 and all(7 <= r <= 13 for r in running),
                  "the status line says about 10 calls/s after the resume")):
    print(("ok: " if ok else "NOT OK: ") + what)
    problems += not ok
print("%d problems" % problems)
sys.exit(1 if problems else 0)
