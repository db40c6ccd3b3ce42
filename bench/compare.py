#!/usr/bin/env python3
"""sipbench against SIPp on this machine, side by side (see bench/compare.sh).

For each pair of client and server (SIPp/SIPp, sipbench/sipbench and the
two crossed pairs) it finds the highest rate with no failed call and no
retransmission over a window, at which the achieved rate is the asked one
(within 3%), and records the CPU seconds per 1,000 calls of each process
(from /proc). Then it asks each same-tool pair for twice its peak (does
it collapse?), measures the RSS per idle call (10,000 calls in a pause,
minus the process's RSS at start) and the instructions per call (perf
stat, else callgrind on a smaller run). Loopback only; every process it
starts is stopped by its pid; every run is bounded in calls and time.

Usage: compare.py [--window S] [--rates R1,R2,...] [--quick]"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIPBENCH = os.environ.get("SIPBENCH", os.path.join(ROOT, "src", "sipbench"))
SIPP = shutil.which("sipp")
TMP = tempfile.mkdtemp(prefix="sipbench-bench-")
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Proc:
    """A process of ours, with its CPU time sampled from /proc until it ends."""

    def __init__(self, argv, name):
        self.name = name
        self.out = open(os.path.join(TMP, name + ".out"), "w")
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, cwd=TMP)
        self.cpu = 0.0
        self.rss = 0
        self.rss0 = None             # the first RSS sample: the baseline
        self.t0 = time.time()
        self.t1 = None

    def sample(self):
        try:
            with open("/proc/%d/stat" % self.p.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.cpu = (int(fields[11]) + int(fields[12])) / CLK
            self.rss = int(fields[21]) * PAGE
            if self.rss0 is None:
                self.rss0 = self.rss
        except (OSError, IndexError, ValueError):
            pass

    def alive(self):
        alive = self.p.poll() is None
        if not alive and self.t1 is None:
            self.t1 = time.time()
        return alive

    def stop(self):
        if self.alive():
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()


def wait_all(procs, deadline):
    while time.time() < deadline and any(p.alive() for p in procs):
        for p in procs:
            if p.alive():
                p.sample()
        time.sleep(0.2)
    for p in procs:
        p.stop()


def server_cmd(kind, port, calls):
    if kind == "sipp":
        return [SIPP, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-nostdin",
                "-m", str(calls), "-trace_stat", "-stf", os.path.join(TMP, "srv.csv"),
                "-fd", "1"]
    return [SIPBENCH, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-m", str(calls),
            "-nostdin", "--json", os.path.join(TMP, "srv.json")]


def client_cmd(kind, port, rate, calls, pause_ms=0):
    if kind == "sipp":
        return [SIPP, "-sn", "uac", "-i", "127.0.0.1", "-p", str(free_port()), "-nostdin",
                "-r", str(rate), "-m", str(calls), "-d", str(pause_ms), "-trace_stat",
                "-stf", os.path.join(TMP, "cli.csv"), "-fd", "1",
                "127.0.0.1:%d" % port]
    return [SIPBENCH, "-sn", "uac", "-i", "127.0.0.1", "-r", str(rate), "-m", str(calls),
            "-d", str(pause_ms), "-nostdin", "--json", os.path.join(TMP, "cli.json"),
            "127.0.0.1:%d" % port]


def sipp_counts(path):
    """(successful, failed, retransmissions) from the last line of a SIPp CSV."""
    try:
        rows = [l.rstrip("\n").split(";") for l in open(path)]
        h, last = rows[0], rows[-1]
        return tuple(int(last[h.index(k)]) for k in
                     ("SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)"))
    except (OSError, ValueError, IndexError):
        return (0, 1, 0)


def sipbench_counts(path):
    try:
        j = json.load(open(path))
        return (j["calls"]["successful"], j["calls"]["failed"],
                sum(s["retransmissions"] for s in j["steps"]))
    except (OSError, ValueError, KeyError):
        return (0, 1, 0)


def counts(kind, side):
    if kind == "sipp":
        return sipp_counts(os.path.join(TMP, side + ".csv"))
    return sipbench_counts(os.path.join(TMP, side + ".json"))


def verdict(kind):
    """sipbench's own word on whether it kept up (client side)."""
    if kind != "sipbench":
        return ""
    try:
        return json.load(open(os.path.join(TMP, "cli.json")))["generator"]["verdict"]
    except (OSError, ValueError, KeyError):
        return ""


def trial(cli, srv, rate, window):
    """One run at rate for window seconds:
    (clean, ok, failed, retrans, cpu_cli, cpu_srv, achieved calls/s)."""
    for f in ("cli.csv", "srv.csv", "cli.json", "srv.json"):
        try:
            os.remove(os.path.join(TMP, f))
        except OSError:
            pass
    port = free_port()
    calls = int(rate * window)
    s = Proc(server_cmd(srv, port, calls), "server")
    time.sleep(0.5)
    c = Proc(client_cmd(cli, port, rate, calls), "client")
    wait_all([c], time.time() + 2 * window + 40)
    wait_all([s], time.time() + 5)
    ok, failed, rtx = counts(cli, "cli")
    sok, sfailed, srtx = counts(srv, "srv")
    took = (c.t1 or time.time()) - c.t0
    achieved = ok / took if took > 0 else 0
    clean = (ok == calls and failed == 0 and rtx == 0 and srtx == 0 and
             achieved >= 0.97 * rate)
    return clean, ok, failed, rtx + srtx, c.cpu, s.cpu, achieved


def best_rate(cli, srv, rates, window, log, per_rate):
    """The highest clean rate, climbing the list and stopping at the first
    failure; per_rate[r] gets (cpu/1000 client, cpu/1000 server) of each
    clean rate."""
    best = None
    for r in rates:
        clean, ok, failed, rtx, ccpu, scpu, got = trial(cli, srv, r, window)
        log("  %-8s -> %-8s %6d calls/s: %s (ok %d, failed %d, retrans %d, achieved %.0f/s, "
            "cpu %.2f + %.2f s)" % (cli, srv, r, "clean" if clean else "NOT clean", ok,
                                    failed, rtx, got, ccpu, scpu))
        if not clean:
            break
        best = (r, 1000.0 * ccpu / max(ok, 1), 1000.0 * scpu / max(ok, 1))
        per_rate[r] = best[1:]
    return best


def saturate(kind, peak, window, log):
    """Ask a same-tool pair for twice its peak: (achieved/s, failed, retrans, verdict)."""
    clean, ok, failed, rtx, ccpu, scpu, got = trial(kind, kind, 2 * peak, window)
    v = verdict(kind)
    log("  %-8s -> %-8s %6d calls/s (2x peak): achieved %.0f/s = %.0f%% of the peak, "
        "failed %d, retrans %d%s" % (kind, kind, 2 * peak, got, 100.0 * got / peak, failed,
                                     rtx, "; says: " + v if v else ""))
    return got, failed, rtx, v


def rss_per_10k(kind_cli, kind_srv, concurrent):
    """RSS per idle call of each side: the growth of RSS between 20% and
    100% of `concurrent` calls held in a long pause, per call (so the
    program's own start-up memory does not count)."""
    port = free_port()
    rate = 5000
    s = Proc(server_cmd(kind_srv, port, concurrent), "rss-server")
    time.sleep(0.5)
    c = Proc(client_cmd(kind_cli, port, rate, concurrent, pause_ms=60000), "rss-client")
    t0 = time.time()
    time.sleep(0.2 * concurrent / rate)
    c.sample()
    s.sample()
    n1 = min(concurrent, rate * (time.time() - t0))
    r1 = (c.rss, s.rss)
    t_end = t0 + concurrent / rate + 5
    while time.time() < t_end and c.alive():
        time.sleep(0.5)
    c.sample()
    s.sample()
    per_call = ((c.rss - r1[0]) / (concurrent - n1), (s.rss - r1[1]) / (concurrent - n1))
    c.stop()
    s.stop()
    return per_call


def instructions_per_call(kind, calls):
    """Instructions per call of a client: perf stat, else callgrind (smaller run)."""
    port = free_port()
    tool = None
    if shutil.which("perf"):
        probe = subprocess.run(["perf", "stat", "-e", "instructions", "-x,", "true"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and "not supported" not in probe.stderr:
            tool = "perf"
    if not tool and shutil.which("valgrind"):
        tool, calls = "callgrind", min(calls, 500)
    if not tool:
        return None, None
    s = Proc(server_cmd("sipbench", port, calls), "ipc-server")
    time.sleep(0.5)
    argv = client_cmd(kind, port, 500 if tool == "callgrind" else 2000, calls)
    if tool == "perf":
        argv = ["perf", "stat", "-e", "instructions", "-x,", "-o",
                os.path.join(TMP, "perf.txt")] + argv
    else:
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" +
                os.path.join(TMP, "cg.out")] + argv
    c = Proc(argv, "ipc-client")
    wait_all([c], time.time() + 300)
    wait_all([s], time.time() + 5)
    try:
        if tool == "perf":
            for line in open(os.path.join(TMP, "perf.txt")):
                f = line.split(",")
                if len(f) > 2 and "instructions" in f[2] and f[0].strip().isdigit():
                    return int(f[0]) / calls, tool
        else:
            for line in open(os.path.join(TMP, "cg.out")):
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1]) / calls, tool
    except (OSError, ValueError):
        pass
    return None, tool


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--rates", default="1000,2000,3000,5000,7000,10000,15000,20000,25000,"
                    "30000,35000,40000,45000,50000")
    ap.add_argument("--quick", action="store_true", help="5 s windows, fewer rates")
    a = ap.parse_args()
    if a.quick:
        a.window, a.rates = 5, "1000,2000,5000,10000,20000,30000"
    rates = [int(r) for r in a.rates.split(",")]
    if not SIPP or not os.access(SIPBENCH, os.X_OK):
        print("needs sipp on PATH and a built %s" % SIPBENCH)
        return 2

    def log(s):
        print(s)
        sys.stdout.flush()

    log("machine: %d cores, %s" % (os.cpu_count(), open("/proc/cpuinfo").read().split(
        "model name")[1].split("\n")[0].strip(": \t") if "model name" in
        open("/proc/cpuinfo").read() else "?"))
    log("window %g s, rates %s; work files in %s" % (a.window, a.rates, TMP))
    pairs = [("sipp", "sipp"), ("sipbench", "sipbench"), ("sipbench", "sipp"),
             ("sipp", "sipbench")]
    res, per_rate = {}, {}
    for cli, srv in pairs:
        per_rate[(cli, srv)] = {}
        res[(cli, srv)] = best_rate(cli, srv, rates, a.window, log, per_rate[(cli, srv)])
    log("asking each pair for twice its peak ...")
    sat = {k: saturate(k, res[(k, k)][0], a.window, log) for k in ("sipp", "sipbench")
           if res.get((k, k))}
    log("measuring RSS of 10,000 concurrent calls ...")
    rss = {k: rss_per_10k(k, k, 10000) for k in ("sipp", "sipbench")}
    log("measuring instructions per call ...")
    ipc = {k: instructions_per_call(k, 5000) for k in ("sipp", "sipbench")}

    log("")
    log("%-22s %12s %16s %16s" % ("client -> server", "clean rate", "cpu/1000 client",
                                  "cpu/1000 server"))
    for (cli, srv), b in res.items():
        if b:
            log("%-22s %10d/s %14.3f s %14.3f s" % (cli + " -> " + srv, b[0], b[1], b[2]))
        else:
            log("%-22s %12s" % (cli + " -> " + srv, "none clean"))
    for k, (got, failed, rtx, v) in sat.items():
        peak = res[(k, k)][0]
        log("%-22s asked %d/s: achieved %.0f/s (%.0f%% of peak), failed %d, retrans %d"
            % (k + " at 2x peak", 2 * peak, got, 100.0 * got / peak, failed, rtx))
    log("%-22s %14s %14s" % ("RSS per idle call", "client", "server"))
    for k, (cr, sr) in rss.items():
        log("%-22s %12.0f B %12.0f B" % (k, cr, sr))
    for k, (n, tool) in ipc.items():
        log("%-22s %s" % ("instructions/call " + k, "%.0f (%s)" % (n, tool) if n else "n/a"))
    sp, sb = res.get(("sipp", "sipp")), res.get(("sipbench", "sipbench"))
    if sp and sb:
        same = per_rate[("sipbench", "sipbench")].get(sp[0])
        log("ratio sipbench/SIPp: clean rate %.2fx, RSS per idle call %.2fx (client)"
            % (sb[0] / sp[0], rss["sipbench"][0] / rss["sipp"][0] if rss["sipp"][0] else 0))
        if same:
            log("CPU per call at SIPp's peak (%d/s), sipbench/SIPp: client %.2fx, server %.2fx"
                % (sp[0], same[0] / sp[1] if sp[1] else 0, same[1] / sp[2] if sp[2] else 0))
    shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
