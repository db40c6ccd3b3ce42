#!/usr/bin/env python3
"""A 60-second ramp of basic-call.xml from 50 to 500 calls/s against the
embedded target, captured with tshark on loopback; then the checks of
issue 4: the JSON report agrees with the summary and the CSV, and the
INVITEs tshark counts equal the report's. Starts and stops its own tshark
by pid. Usage: ramp_check.py SIPBENCH SRCDIR LOGDIR PORT"""
import csv, json, os, re, signal, subprocess, sys, time

sipbench, srcdir, log, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


cap = os.path.join(log, "cap.pcap")
# capture only INVITEs ("INVI" at the start of the UDP payload): a few
# tens of thousands of packets, which tshark reads back quickly
tshark = subprocess.Popen(["tshark", "-q", "-i", "lo", "-F", "pcap", "-f",
                           "udp port %s and udp[8:4] = 0x494e5649" % port, "-w", cap], stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(log, "capture.stderr"), "w"))
for _ in range(100):          # wait for the capture to start (10 s at most)
    if os.path.exists(cap) and os.path.getsize(cap) > 0:
        break
    time.sleep(0.1)
time.sleep(1)
cmd = [sipbench, "-sf", os.path.join(srcdir, "scenarios", "basic-call.xml"),
       "-i", "127.0.0.1", "-p", port, "-r", "50", "-rate_increase", "50",
       "-rate_max", "500", "-fd", "6", "-timeout", "120",
       "-trace_stat", "-stf", os.path.join(log, "s.csv"),
       "-json", os.path.join(log, "r.json")]
print("run:", " ".join(cmd))
t0 = time.time()
run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                     timeout=180)
print("sipbench exit %d after %.1f s" % (run.returncode, time.time() - t0))
open(os.path.join(log, "summary.txt"), "w").write(run.stdout)
time.sleep(1)
tshark.send_signal(signal.SIGTERM)
tshark.wait(timeout=30)

summary = run.stdout
check(run.returncode == 0, "sipbench exits 0")
j = json.load(open(os.path.join(log, "r.json")))
rows = list(csv.reader(open(os.path.join(log, "s.csv")), delimiter=";"))
head, last = rows[0], rows[-1]
col = lambda name: last[head.index(name)]

def summary_num(label):
    m = re.search(r"^\s*%s\s+(\d+)\b" % label, summary, re.M)
    return int(m.group(1)) if m else None

calls = j["calls"]
check(abs(calls["successful"] - 16500) <= 50,
      "about 16500 calls (6 s at each of 50, 100 ... 500/s): %d" % calls["successful"])
check(calls["failed"] == 0, "no failed call: %d" % calls["failed"])
check(summary_num("successful") == calls["successful"], "summary and JSON: successful")
check(summary_num("failed") == calls["failed"], "summary and JSON: failed")
check(int(col("SuccessfulCall(C)")) == calls["successful"], "CSV and JSON: successful")
check(int(col("FailedCall(C)")) == calls["failed"], "CSV and JSON: failed")
check(max(float(r[head.index("TargetRate")]) for r in rows[1:]) == 500.0,
      "the CSV's target rate reaches 500/s")

rtd = j["response_times"][0]
m = re.search(r"^\s*rtd 1\s+n=(\d+) mean=([\d.]+) p50=([\d.]+) p90=([\d.]+) "
              r"p99=([\d.]+) p99.9=([\d.]+) max=([\d.]+) ms", summary, re.M)
check(m is not None, "the summary has the rtd 1 line")
if m:
    n, mean, p50, p90, p99, p999, mx = m.groups()
    check(int(n) == rtd["count"], "summary and JSON: rtd count")
    for name, val in (("p50", p50), ("p90", p90), ("p99", p99), ("p999", p999),
                      ("max", mx)):
        check(abs(float(val) - rtd[name + "_ms"]) < 0.0015,
              "summary and JSON: rtd %s (%s, %s)" % (name, val, rtd[name + "_ms"]))
for q in ("p50", "p90", "p99", "p999"):
    c = float(col("ResponseTime1_%s_ms(C)" % q))
    check(abs(c - rtd[q + "_ms"]) < 0.0015, "CSV and JSON: rtd %s (%s, %s)"
          % (q, c, rtd[q + "_ms"]))

sent = sum(s["sent"] + s["retransmissions"] for s in j["steps"] if s["step"] == "-> INVITE")
# the capture filter kept INVITEs only; SIP's dissector (call tracking) is
# slow on 50,000 packets, so tshark counts them by UDP port alone
got = subprocess.run(["tshark", "-r", cap, "--disable-protocol", "sip", "-Y",
                      "udp.srcport == %s" % port, "-T", "fields", "-e", "frame.number"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
captured = len(got.split())
check(captured == sent, "INVITEs sent: tshark counts %d, the report %d" % (captured, sent))
recv = sum(s["received"] for s in j["steps"] if s["step"] == "<- INVITE")
got = subprocess.run(["tshark", "-r", cap, "--disable-protocol", "sip", "-Y",
                      "udp.dstport == %s" % port, "-T", "fields", "-e", "frame.number"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
captured = len(got.split())
check(captured == recv + j["messages"]["repeated"] or captured == recv,
      "INVITEs received: tshark counts %d, the report %d" % (captured, recv))
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
