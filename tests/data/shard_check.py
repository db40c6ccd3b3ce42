#!/usr/bin/env python3
"""Issue 8's must-show: 3 shards of basic-call.xml at 300 calls/s in all
(-shard K/3, run at the same time) against one embedded target
(sipbench --serve), then sipbench merge; and a single process at the
same rate against a second target. Checks: the merged totals are the sums
of the shards', 3000, and the target's own counts; the merged histogram
is the union of the shards' buckets, so its p99 is exactly the one of the
union; the single run's call-length p99 is bounded (see TALK);
call numbers (the per-call users b[call_number]) disjoint across shards.
Starts its own processes and stops them by pid.
Usage: shard_check.py SIPBENCH SRCDIR LOGDIR PORT1 PORT2"""
import json, os, re, signal, subprocess, sys, time

sipbench, srcdir, log, port1, port2 = sys.argv[1:6]
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(srcdir, "tests", "tools"))
import sanitizer  # noqa: E402  (the suite's one sanitizer-report scan)
scenario = os.path.join(srcdir, "scenarios", "basic-call.xml")
CALLS, RATE, N = 3000, 300, 3
# Every call talks 1 s (-d), so a call's length is 1 s plus its setup and
# BYE: the call-length p99 of two runs differs by their setup times only.
# Measured: one 4 ms bucket (0.4%, within the histogram's error) on a
# quiet machine; 1.2% beside a CI run; 5% in make distcheck -j2, where a
# load spike hit the single run. So the exact claim is against the union
# of the shards' buckets (a single run over the same calls); the separate
# run is only bounded.
TALK = "1000"
CALL_LENGTH_MAX_MS = 1500
# Two runs on a shared machine differ in timing (scheduling, the other
# processes, three generators against one); the merge is checked exactly
# against the union of the buckets.
HIST_SUB_BITS = 7
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


def start_target(name, port):
    out = open(os.path.join(log, name + ".stdout"), "w")
    p = subprocess.Popen([sipbench, "--serve", "127.0.0.1:" + port], stdout=out,
                         stderr=open(os.path.join(log, name + ".stderr"), "w"))
    for _ in range(100):   # its first line says it listens (10 s at most)
        if "Ctrl-C stops it" in open(os.path.join(log, name + ".stdout")).read():
            return p
        time.sleep(0.1)
    p.kill()
    sys.exit("target %s did not start" % name)


def stop_target(name, p):
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    check(rc == 0, "%s exits 0 on SIGTERM (%d)" % (name, rc))
    text = open(os.path.join(log, name + ".stdout")).read()
    counts = {}
    for key in ("requests", "registered", "not found", "loops", "calls", "answered",
                "bindings"):
        m = re.search(r"^\s*%s\s+(\d+)" % key, text, re.M)
        counts[key] = int(m.group(1)) if m else None
    return counts


def bucket_low(b):
    sub = 1 << HIST_SUB_BITS
    if b < sub:
        return b, 1
    e = b // sub + HIST_SUB_BITS - 1
    width = 1 << (e - HIST_SUB_BITS)
    return (1 << e) + (b % sub) * width, width


def quantile_ms(buckets, count, lo, hi, q):
    """hist_quantile's rule: the midpoint of the bucket holding rank
    q * count (rounded, at least 1), kept within min and max."""
    rank = min(max(int(q * count + 0.5), 1), count)
    seen = 0
    for b in sorted(buckets):
        seen += buckets[b]
        if seen >= rank:
            low, width = bucket_low(b)
            return min(max(low + width // 2, lo), hi) / 1000.0, width / 1000.0
    return 0.0, 0.0


def buckets_of(h):
    return {b: n for b, n in h["buckets"]}


def run(args, name, timeout=90):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    open(os.path.join(log, name + ".stdout"), "w").write(r.stdout)
    open(os.path.join(log, name + ".stderr"), "w").write(r.stderr)
    return r


def shard_cmd(k, port):
    return [sipbench, "-sf", scenario, "-r", str(RATE), "-m", str(CALLS), "-d", TALK, "-shard",
            "%d/%d" % (k, N), "-i", "127.0.0.1", "-nostdin", "-timeout", "60",
            "-json", os.path.join(log, "s%d.json" % k), "127.0.0.1:" + port]


ta = start_target("target_a", port1)
tb = None
try:
    t0 = time.time()
    shards = [subprocess.Popen(shard_cmd(k, port1), stdout=open(os.path.join(
        log, "shard%d.stdout" % k), "w"), stderr=open(os.path.join(log, "shard%d.stderr" % k),
        "w")) for k in range(N)]
    codes = [p.wait(timeout=90) for p in shards]
    print("3 shards took %.1f s" % (time.time() - t0))
    check(codes == [0, 0, 0], "the shards exit 0 (%s)" % codes)
    files = [os.path.join(log, "s%d.json" % k) for k in range(N)]
    merged_path = os.path.join(log, "merged.json")
    m = run([sipbench, "merge"] + files + ["-o", merged_path], "merge")
    check(m.returncode == 0, "sipbench merge exits 0 (%d)" % m.returncode)
    counts_a = stop_target("target_a", ta)
    ta = None
    tb = start_target("target_b", port2)
    t0 = time.time()
    single = run([sipbench, "-sf", scenario, "-r", str(RATE), "-m", str(CALLS), "-d", TALK, "-i",
                  "127.0.0.1", "-nostdin", "-timeout", "60", "-json",
                  os.path.join(log, "single.json"), "127.0.0.1:" + port2], "single")
    print("the single run took %.1f s" % (time.time() - t0))
    check(single.returncode == 0, "the single run exits 0 (%d)" % single.returncode)
    counts_b = stop_target("target_b", tb)
    tb = None
finally:
    for p in (ta, tb):
        if p:
            p.kill()

sh = [json.load(open(f)) for f in files]
mg = json.load(open(merged_path))
one = json.load(open(os.path.join(log, "single.json")))
print("target A:", counts_a)
print("target B:", counts_b)

# the shards' shares and identity
check([s["shard"] for s in sh] == [{"index": k, "count": N} for k in range(N)],
      "each report names its shard")
check([s["calls"]["started"] for s in sh] == [CALLS // N] * N,
      "each shard started its share, %d calls" % (CALLS // N))
check(mg["shard"] == {"merged": [0, 1, 2], "count": N}, "the merged report names its shards")
check(m.stderr.strip() == "", "merge warns of nothing (no shard missing or repeated)")

# totals: sums of the shards, the asked count, the target's own count
for key in ("started", "successful", "failed", "timed_out"):
    total = sum(s["calls"][key] for s in sh)
    check(mg["calls"][key] == total, "merged calls.%s %d == sum of the shards %d" %
          (key, mg["calls"][key], total))
check(mg["calls"]["started"] == CALLS and mg["calls"]["successful"] == CALLS,
      "merged: %d calls started and successful" % CALLS)
check(counts_a["calls"] == mg["calls"]["successful"],
      "the target routed %s calls == merged successful %d" % (counts_a["calls"],
                                                             mg["calls"]["successful"]))
check(counts_a["answered"] == CALLS, "the target relayed %s answers" % counts_a["answered"])
check(counts_a["registered"] == CALLS, "the target registered %s users" %
      counts_a["registered"])
# per-call users b[call_number]: 3000 distinct bindings only if the call
# numbers of the shards never meet
check(counts_a["bindings"] == CALLS, "%s distinct bindings: the shards' call numbers "
      "are disjoint" % counts_a["bindings"])
check(counts_a["loops"] == 0 and counts_a["not found"] == 0, "no loop, no unknown user "
      "at the target")
for key in ("sent", "received", "send_errors", "unparsable", "no_call", "repeated"):
    total = sum(s["messages"][key] for s in sh)
    check(mg["messages"][key] == total, "merged messages.%s %d == sum %d" %
          (key, mg["messages"][key], total))
# the requests the shards sent (their retransmissions too) are the ones
# the target received: 7 a call (REGISTER x2, INVITE x2, ACK x2, BYE)
sent_req = sum(st["sent"] + st["retransmissions"] for s in sh for st in s["steps"]
               if st["kind"] == "send" and not st["step"][3:4].isdigit())
check(counts_a["requests"] == sent_req, "the target received %s requests == the %d "
      "the shards sent" % (counts_a["requests"], sent_req))
steps_ok = all(mg["steps"][i][f] == sum(s["steps"][i][f] for s in sh)
               for i in range(len(mg["steps"])) for f in ("sent", "received",
               "retransmissions", "timeouts", "unexpected"))
check(steps_ok, "every step's counters are the shards' sums")

# histograms: the merged one is the union of the shards' buckets
for name, get in (("rtd 1", lambda r: r["response_times"][0]),
                  ("call_length", lambda r: r["call_length"])):
    hm, hs = get(mg), [get(s) for s in sh]
    union = {}
    for h in hs:
        for b, n in h["buckets"]:
            union[b] = union.get(b, 0) + n
    check(buckets_of(hm) == union, "%s: merged buckets == union of the shards' (%d "
          "buckets)" % (name, len(union)))
    check(hm["count"] == sum(h["count"] for h in hs) == CALLS, "%s: count %d" %
          (name, hm["count"]))
    check(hm["sum_us"] == sum(h["sum_us"] for h in hs), "%s: sum exact" % name)
    check(hm["min_us"] == min(h["min_us"] for h in hs) and
          hm["max_us"] == max(h["max_us"] for h in hs), "%s: min and max exact" % name)
    mean = sum(h["sum_us"] for h in hs) / hm["count"] / 1000.0
    check(abs(hm["mean_ms"] - mean) < 0.0015, "%s: mean %.3f ms == sum/count %.3f" %
          (name, hm["mean_ms"], mean))
    for q, key in ((0.5, "p50_ms"), (0.9, "p90_ms"), (0.99, "p99_ms")):
        want, width = quantile_ms(union, hm["count"], hm["min_us"], hm["max_us"], q)
        check(abs(hm[key] - want) < 0.0015 and width <= max(want / 100.0, 0.001),
              "%s: merged %s %.3f ms == the union's %.3f ms (bucket %.3f ms wide, "
              "<= 1%%)" % (name, key, hm[key], want, width))
    avg = sum(h["p99_ms"] for h in hs) / N
    print("%s: p99 merged %.3f ms, shards %s (their mean %.3f: not what a merge gives), "
          "single run %.3f ms" % (name, hm["p99_ms"], [h["p99_ms"] for h in hs], avg,
                                  get(one)["p99_ms"]))
    a, b = hm["p99_ms"], get(one)["p99_ms"]
    # another run, timed apart: printed, not asserted (under make -j2 a
    # load spike took one single run's rtd p99 to 4x the merged one's)
    print("%s: merged p99 %.3f ms, single run %.3f ms (%+.1f%%)" %
          (name, a, b, 100.0 * (a - b) / b))
    if name == "call_length":
        # every call talks 1 s: both p99s lie between 1 s and 1 s plus a
        # loaded machine's setup time, whatever the two runs' timing
        check(1000 <= a < CALL_LENGTH_MAX_MS and 1000 <= b < CALL_LENGTH_MAX_MS,
              "call_length: merged p99 %.3f ms and the single run's %.3f ms both in "
              "[1000, %d) ms" % (a, b, CALL_LENGTH_MAX_MS))

check(one["calls"]["successful"] == CALLS and counts_b["calls"] == CALLS,
      "the single run: %d calls, its target routed %s" % (one["calls"]["successful"],
                                                         counts_b["calls"]))
check(mg["exit_status"] == 0, "merged exit_status 0")
for path, line in sanitizer.scan_dir(log):
    check(False, "sanitizer report in %s: %s" % (os.path.basename(path), line))
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
